"""NO_COLOR in a real terminal: under tmux the TUI paints in greys only (Textual's monochrome
filter), while the same screen without it is in colour."""

from __future__ import annotations

import os
import re
import shutil
from pathlib import Path

import pytest

from tests.tui.test_tmux import EVALTUI, end_session, tmux, wait_for

pytestmark = [
    pytest.mark.tmux,
    pytest.mark.skipif(shutil.which("tmux") is None, reason="tmux is not installed"),
]
SGR = re.compile(r"\x1b\[([0-9;]*)m")
BASIC = [(0, 0, 0), (128, 0, 0), (0, 128, 0), (128, 128, 0), (0, 0, 128), (128, 0, 128), (0, 128, 128)]
BASIC += [(192, 192, 192), (128, 128, 128), (255, 0, 0), (0, 255, 0), (255, 255, 0), (0, 0, 255)]
BASIC += [(255, 0, 255), (0, 255, 255), (255, 255, 255)]
CUBE = [0, 95, 135, 175, 215, 255]


def palette(index: int) -> tuple[int, int, int]:
    """The RGB of an xterm 256-colour index."""
    if index < 16:
        return BASIC[index]
    if index < 232:
        index -= 16
        return CUBE[index // 36], CUBE[index // 6 % 6], CUBE[index % 6]
    grey = 8 + 10 * (index - 232)
    return grey, grey, grey


def painted(screen: str) -> set[tuple[int, int, int]]:
    """Every foreground and background colour the escape codes of a captured pane set."""
    found: set[tuple[int, int, int]] = set()
    for params in SGR.findall(screen):
        codes = [int(code) for code in params.split(";") if code]
        i = 0
        while i < len(codes):
            code = codes[i]
            if code in (38, 48) and codes[i + 1 : i + 2] == [5]:
                found.add(palette(codes[i + 2]))
                i += 3
                continue
            if code in (38, 48) and codes[i + 1 : i + 2] == [2]:
                found.add((codes[i + 2], codes[i + 3], codes[i + 4]))
                i += 5
                continue
            if 30 <= code <= 37 or 40 <= code <= 47:
                found.add(BASIC[code % 10])
            elif 90 <= code <= 97 or 100 <= code <= 107:
                found.add(BASIC[8 + code % 10])
            i += 1
    return found


def is_grey(rgb: tuple[int, int, int]) -> bool:
    return max(rgb) - min(rgb) <= 16


def suites_screen(tmp_path: Path, extra_env: str) -> str:
    session = f"evaltui-nocolor-{os.getpid()}-{len(extra_env)}"
    env = f"EVALTUI_CONFIG={tmp_path / 'config.yaml'} TEXTUAL_ANIMATIONS=none {extra_env}"
    command = f"cd {tmp_path} && {env} {EVALTUI} --db {tmp_path / 'r.db'}"
    tmux("new-session", "-d", "-s", session, "-x", "100", "-y", "30", command)
    try:
        wait_for(session, "support-intent")
        wait_for(session, "recent runs")  # the detail pane has painted too
        return tmux("capture-pane", "-p", "-e", "-t", session)
    finally:
        end_session(session)


def test_no_color_paints_the_tui_in_greys_only(tmp_path: Path) -> None:
    coloured = painted(suites_screen(tmp_path, ""))
    assert not all(map(is_grey, coloured))  # the check sees hues when there are some

    plain = painted(suites_screen(tmp_path, "NO_COLOR=1"))
    assert plain  # still drawn with shades, so selection and borders read
    assert all(map(is_grey, plain)), sorted(rgb for rgb in plain if not is_grey(rgb))
