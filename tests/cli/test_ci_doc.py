"""docs/ci.md's workflow stays true: it is valid YAML, and every `evaltui` command in it parses
against the real command line (a renamed option or command fails here, not in a user's CI)."""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import click
import yaml

from evaltui.cli import main

DOC = Path(__file__).resolve().parents[2] / "docs" / "ci.md"


def workflow() -> dict:
    text = re.search(r"```yaml\n(.*?)```", DOC.read_text(), re.DOTALL).group(1)
    return yaml.safe_load(text)


def evaltui_lines() -> list[str]:
    lines = []
    for job in workflow()["jobs"].values():
        for step in job["steps"]:
            for line in step.get("run", "").splitlines():
                found = re.search(r"(?:^|\$\(|\s)(evaltui\s.*?)(?:\)|$)", line.strip())
                if found:
                    lines.append(found.group(1))
    return lines


def parse(line: str) -> None:
    """Parse one command line with the real click commands, without running it."""
    line = re.sub(r"\$\{\{[^}]*\}\}", "X", line)
    line = line.replace("$BASELINE", "--baseline label:main-x --max-regressions 0")
    line = re.sub(r"\$[A-Z_]+", "x", line)
    name, *args = shlex.split(line)[1:]  # the workflow gives every option after the command
    command = main.get_command(click.Context(main), name)
    assert command is not None, f"no command {name!r}: {line}"
    command.make_context(name, args)


def test_the_workflow_is_yaml_with_a_matrix_a_merge_and_a_gate() -> None:
    jobs = workflow()["jobs"]
    assert jobs["eval"]["strategy"]["matrix"]["model"]
    assert jobs["merge"]["needs"] == "eval" and jobs["merge"]["if"] == "always()"
    names = [step.get("name") for step in jobs["merge"]["steps"]]
    assert "Gate" in names and "Comment the reports on the pull request" in names


def test_every_evaltui_command_in_the_workflow_parses() -> None:
    lines = evaltui_lines()
    assert {line.split()[1] for line in lines} >= {"run", "runs", "merge"}
    for line in lines:
        try:
            parse(line)
        except click.ClickException as exc:  # pragma: no cover - the failure message is the point
            raise AssertionError(f"{line!r}: {exc.format_message()}") from exc
