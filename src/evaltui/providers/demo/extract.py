"""Invoice field extraction: answer a JSON object with the keys the prompt asks for.

`keyword` looks for labelled lines ("Amount due", "Due date"), reads several date and number
formats and maps currency symbols; `rules` takes the first match of simpler patterns, so it
trips over subtotals, day-first dates and thousands separators.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from datetime import date

from evaltui.providers.demo.reading import split_subject

MONTHS = {
    name: number
    for number, names in enumerate(
        [("jan", "january"), ("feb", "february"), ("mar", "march"), ("apr", "april"), ("may",),
         ("jun", "june"), ("jul", "july"), ("aug", "august"), ("sep", "sept", "september"),
         ("oct", "october"), ("nov", "november"), ("dec", "december")],
        start=1,
    )
    for name in names
}  # fmt: skip
MONTH_NAME = r"(jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\.?"
DATE_PATTERNS = [
    ("ymd", re.compile(r"\b(\d{4})-(\d{2})-(\d{2})\b")),
    ("slash", re.compile(r"\b(\d{1,2})/(\d{1,2})/(\d{4})\b")),
    ("dot", re.compile(r"\b(\d{1,2})\.(\d{1,2})\.(\d{4})\b")),
    ("mdy", re.compile(rf"\b{MONTH_NAME}\s+(\d{{1,2}})(?:st|nd|rd|th)?,?\s+(\d{{4}})\b", re.I)),
    ("dmy", re.compile(rf"\b(\d{{1,2}})(?:st|nd|rd|th)?\s+{MONTH_NAME},?\s+(\d{{4}})\b", re.I)),
]
AMOUNT = re.compile(r"(?<![\d.,])(\d{1,3}(?:[.,\s]\d{3})*(?:[.,]\d{2})?|\d+(?:[.,]\d{2})?)(?![\d])")
CURRENCY_CODES = ("USD", "EUR", "GBP", "CAD", "AUD", "JPY", "CHF", "INR", "SEK", "NZD")
SYMBOLS = [
    ("CA$", "CAD"),
    ("A$", "AUD"),
    ("NZ$", "NZD"),
    ("€", "EUR"),
    ("£", "GBP"),
    ("¥", "JPY"),
    ("$", "USD"),
]
KNOWN_KEYS = ("invoice_number", "vendor", "invoice_date", "due_date", "currency", "total", "subtotal", "tax")


def requested_keys(instructions: str) -> list[str]:
    bullets = re.findall(r"^\s*[-*]\s*`?([a-z][a-z0-9_]*)`?", instructions, re.MULTILINE)
    if bullets:
        return bullets
    named = re.findall(r"\b[a-z]+(?:_[a-z]+)+\b", instructions)
    keys = [key for key in KNOWN_KEYS if key in instructions.lower() or key in named]
    return keys or list(KNOWN_KEYS[:6])


def parse_date(text: str, *, formats: tuple[str, ...] = ("ymd", "slash", "dot", "mdy", "dmy")) -> str | None:
    found: list[tuple[int, str]] = []
    for kind, pattern in DATE_PATTERNS:
        if kind not in formats:
            continue
        for match in pattern.finditer(text):
            iso = _to_iso(kind, match.groups())
            if iso:
                found.append((match.start(), iso))
    return min(found)[1] if found else None


def _to_iso(kind: str, parts: tuple[str, ...]) -> str | None:
    if kind == "ymd":
        year, month, day = int(parts[0]), int(parts[1]), int(parts[2])
    elif kind == "slash":  # month first, unless that cannot be a month
        first, second, year = int(parts[0]), int(parts[1]), int(parts[2])
        month, day = (second, first) if first > 12 else (first, second)
    elif kind == "dot":
        day, month, year = int(parts[0]), int(parts[1]), int(parts[2])
    elif kind == "mdy":
        month, day, year = MONTHS[parts[0].lower()[:3]], int(parts[1]), int(parts[2])
    else:
        day, month, year = int(parts[0]), MONTHS[parts[1].lower()[:3]], int(parts[2])
    try:
        return date(year, month, day).isoformat()
    except ValueError:
        return None


def parse_amount(text: str, *, european: bool = True) -> float | None:
    match = AMOUNT.search(text.replace("\u00a0", " "))
    if match is None:
        return None
    raw = match.group(1).replace(" ", "")
    if european and re.fullmatch(r"\d{1,3}(\.\d{3})*,\d{2}", raw):
        raw = raw.replace(".", "").replace(",", ".")
    else:
        raw = raw.replace(",", "")
    return float(raw)


def line_after(text: str, label: str) -> str | None:
    match = re.search(rf"^[ \t]*(?:{label})\b[^:\n]*:?[ \t]*(.+)$", text, re.IGNORECASE | re.MULTILINE)
    return match.group(1).strip() if match else None


def currency_of(text: str) -> str | None:
    for code in CURRENCY_CODES:
        if re.search(rf"\b{code}\b", text):
            return code
    for symbol, code in SYMBOLS:
        if symbol in text:
            return code
    return None


def keyword_fields(invoice: str) -> dict[str, object]:
    due_line = line_after(invoice, r"due date|payment due|pay by|due")
    total_line = next(
        (line for label in ("amount due", "balance due", "total due", "grand total", "total")
         if (line := line_after(invoice, label))),
        None,
    )  # fmt: skip
    vendor = line_after(invoice, "from") or next(
        (line.strip() for line in invoice.splitlines() if line.strip() and "invoice" not in line.lower()),
        None,
    )
    number = re.search(r"invoice\s*(?:no\.?|number|num|#)\s*[:#]?\s*([A-Z0-9][A-Z0-9\-/]*)", invoice, re.I)
    return {
        "invoice_number": number.group(1) if number else None,
        "vendor": vendor,
        "invoice_date": parse_date(line_after(invoice, r"invoice date|date of issue|issued|date") or ""),
        "due_date": parse_date(due_line or ""),
        "currency": currency_of(invoice),
        "total": parse_amount(total_line or ""),
        "subtotal": parse_amount(line_after(invoice, "subtotal") or ""),
        "tax": parse_amount(line_after(invoice, r"tax|vat|gst") or ""),
    }


def rules_fields(invoice: str) -> dict[str, object]:
    lines = [line.strip() for line in invoice.splitlines() if line.strip()]
    number = re.search(r"(?:#|No:|number:)\s*([A-Z0-9\-]+)", invoice)
    dates = [m.start() for kind, p in DATE_PATTERNS if kind in ("ymd", "slash") for m in p.finditer(invoice)]
    ordered = sorted(dates)
    total_line = next(
        (line for line in reversed(lines) if "total" in line.lower()), lines[-1] if lines else ""
    )
    total_match = AMOUNT.search(total_line)
    return {
        "invoice_number": number.group(1) if number else None,
        "vendor": lines[0] if lines else None,
        "invoice_date": parse_date(invoice[ordered[0] :], formats=("ymd", "slash")) if ordered else None,
        "due_date": parse_date(invoice[ordered[1] :], formats=("ymd", "slash")) if len(ordered) > 1 else None,
        "currency": "EUR" if ("€" in invoice or "EUR" in invoice) else "USD",
        "total": _rules_number(total_match.group(1)) if total_match else None,
        "subtotal": None,
        "tax": None,
    }


def _rules_number(raw: str) -> float | str:
    """Reads US-style amounts and keeps any other separators as text, the way a careless extractor does."""
    if re.fullmatch(r"\d{1,3}(,\d{3})*(\.\d{2})?", raw):
        return float(raw.replace(",", ""))
    return raw


def extract(prompt: str, strategy: Callable[[str], dict[str, object]]) -> str:
    instructions, invoice = split_subject(prompt)
    fields = strategy(invoice)
    return json.dumps({key: fields.get(key) for key in requested_keys(instructions)}, ensure_ascii=False)


def keyword_extract(prompt: str) -> str:
    return extract(prompt, keyword_fields)


def rules_extract(prompt: str) -> str:
    return extract(prompt, rules_fields)
