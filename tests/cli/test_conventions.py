"""The conventions of a command-line tool: `--version`, shell completion the way click documents it,
`--help` in the order a newcomer needs the commands, and NO_COLOR."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from collections.abc import Callable
from importlib.metadata import version
from pathlib import Path

import pytest

import evaltui
from evaltui.cli import FIRST_STEPS, main

EVALTUI = str(Path(sys.executable).with_name("evaltui"))
COLOUR_SGR = re.compile(r"\x1b\[(?:[0-9;]*;)?(?:3[0-79]|4[0-79]|9[0-7]|10[0-7]|[34]8;[25];[0-9;]+)m")

Cli = Callable[..., subprocess.CompletedProcess[str]]


def test_version_is_the_installed_one(cli: Cli) -> None:
    proc = cli("--version")
    assert proc.returncode == 0
    assert proc.stdout.strip() == f"evaltui, version {version('evaltui')}"
    assert evaltui.__version__ == version("evaltui")


def help_commands(text: str) -> list[str]:
    section = text.split("Commands:", 1)[1]
    return [line.split()[0] for line in section.splitlines() if line.startswith("  ") and line.strip()]


def test_help_lists_commands_in_the_order_a_newcomer_needs_them(cli: Cli) -> None:
    listed = help_commands(cli("--help").stdout)
    assert listed[:3] == ["run", "show", "runs"]
    assert listed == [name for name in FIRST_STEPS if name in main.commands] + sorted(
        set(main.commands) - set(FIRST_STEPS)
    )
    assert sorted(listed) == sorted(main.commands)  # every command, each once


@pytest.mark.skipif(shutil.which("bash") is None, reason="bash is not installed")
def test_bash_completion_from_the_documented_line(tmp_path: Path) -> None:
    """The README's `eval "$(_EVALTUI_COMPLETE=bash_source evaltui)"`, then a Tab after `evaltui ru`
    and after `evaltui run --no-`."""
    script = f"""
        eval "$(_EVALTUI_COMPLETE=bash_source {EVALTUI})"
        complete -p evaltui >/dev/null || exit 3
        tab() {{ COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1)); COMPREPLY=(); _evaltui_completion evaltui;
                 echo "${{COMPREPLY[*]}}"; }}
        tab evaltui ru
        tab evaltui run --no-
    """
    env = {**os.environ, "PATH": f"{Path(EVALTUI).parent}:{os.environ['PATH']}"}
    proc = subprocess.run(["bash", "-c", script], capture_output=True, text=True, env=env, timeout=60)
    assert proc.returncode == 0, proc.stderr
    first, second = proc.stdout.splitlines()
    assert first.split() == ["run", "runs"]
    assert second.split() == ["--no-cache"]


def colours(text: str) -> list[str]:
    return COLOUR_SGR.findall(text)


@pytest.mark.parametrize(
    "args",
    [("runs",), ("run", "support_intent.yaml", "-m", "demo:rules", "--limit", "8")],
    ids=["runs", "run"],
)
def test_no_color_leaves_out_every_colour(cli: Cli, args: tuple[str, ...]) -> None:
    """FORCE_COLOR makes Rich write escapes into a pipe as into a terminal; NO_COLOR then removes
    every colour (bold and dim stay: they are not colour)."""
    cli("run", "support_intent.yaml", "-m", "demo:keyword", "--limit", "8", "-q")
    coloured = cli(*args, extra_env={"FORCE_COLOR": "1"})
    plain = cli(*args, extra_env={"FORCE_COLOR": "1", "NO_COLOR": "1"})
    assert coloured.returncode == plain.returncode == 0
    assert colours(coloured.stdout + coloured.stderr)  # the check can see colour when there is some
    assert not colours(plain.stdout + plain.stderr)
    assert "\x1b[" in plain.stdout + plain.stderr  # still styled, only without colour
