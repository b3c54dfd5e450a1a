"""The corpus of broken suites: each folder here holds one fault. Loading it (and preparing it,
as `evaltui validate` and `evaltui run` do) gives one SuiteError naming file, line and field; the
CLI exits 2 with that message on stderr, and a failed `run` leaves the database without runs.

The 50 MB case file is generated, not stored: tests/suites/test_casefiles.py."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from pathlib import Path

import pytest
from click.testing import CliRunner

from evaltui.cli import main
from evaltui.engine import prepare
from evaltui.errors import SuiteError
from evaltui.store import Store
from evaltui.suites import load_suite

CORPUS = Path(__file__).parent


@dataclass(frozen=True)
class Fault:
    file: str  # the file the error names (suite.yaml or a case file)
    line: int | None
    field: str | None
    says: str  # a fragment of the message


FAULTS: dict[str, Fault] = {
    "yaml_syntax": Fault("suite.yaml", 4, None, "YAML syntax error"),
    "yaml_duplicate_key": Fault("suite.yaml", 3, "name", "duplicate key"),
    "wrong_type": Fault("suite.yaml", 2, "epochs", "valid integer"),
    "out_of_range": Fault("suite.yaml", 2, "pass_threshold", "less than or equal to 1"),
    "missing_name": Fault("suite.yaml", 1, "name", "field required"),
    "missing_input": Fault("suite.yaml", 5, "cases[1].input", "field required"),
    "unknown_key": Fault("suite.yaml", 2, "promt", "unknown key"),
    "unknown_case_key": Fault("suite.yaml", 4, "cases[0].expect", "unknown key"),
    "duplicate_ids": Fault("suite.yaml", 5, "cases[1].id", "first used at"),
    "duplicate_ids_across_files": Fault("more.jsonl", 2, "id", "suite.yaml:3"),
    "unknown_provider": Fault("suite.yaml", 4, "models[1]", "unknown provider 'gemini'"),
    "unknown_scorer": Fault("suite.yaml", 4, None, "unknown scorer 'equalz'"),
    "secret_in_suite": Fault("suite.yaml", 5, "models[0].api_key", "api_key_env"),
    "missing_case_file": Fault("suite.yaml", 4, "cases[1].file", "not found"),
    "unreadable_case_file": Fault("suite.yaml", 3, "cases[0].file", "not found"),
    "jsonl_invalid_utf8": Fault("cases.jsonl", 3, None, "invalid UTF-8"),
    "jsonl_nul_byte": Fault("cases.jsonl", 2, None, "NUL byte"),
    "jsonl_bad_json": Fault("cases.jsonl", 2, None, "invalid JSON"),
    "jsonl_missing_input": Fault("tickets.jsonl", 2, "input", "field required"),
    "csv_ragged_row": Fault("cases.csv", 3, None, "3 cells"),
    "csv_no_input_column": Fault("cases.csv", 1, "input", "no `input` column"),
    "path_escape": Fault("suite.yaml", 4, "cases[1].file", "outside the suite's folder"),
    "absolute_path": Fault("suite.yaml", 3, "cases[0].file", "absolute paths are refused"),
    "undefined_variable": Fault("cases.jsonl", 2, "prompt", "'customer' is undefined"),
    "sandbox_mro": Fault("suite.yaml", 3, "prompt", "unsafe"),
    "sandbox_globals": Fault("suite.yaml", 3, "prompt", "unsafe"),
    "sandbox_subclasses": Fault("suite.yaml", 4, "prompt", "unsafe"),
    "template_syntax": Fault("suite.yaml", 4, "prompt", "template syntax error"),
    "python_tag": Fault("suite.yaml", 3, "cases[0].input", "unsupported YAML tag"),
    "alias_bomb": Fault("suite.yaml", 11, None, "expands to more than"),
    "no_cases": Fault("suite.yaml", 2, "cases", "no cases"),
    "header_injection": Fault("suite.yaml", 7, "models[0].headers.X-Trace", "line break"),
    "missing_ca_file": Fault("suite.yaml", 6, "models[0].ca_file", "no such file"),
    "tool_result_not_offered": Fault("suite.yaml", 7, "cases[0].tool_results.get_wether", "does not offer"),
    "jsonl_tool_result_not_offered": Fault("cases.jsonl", 2, "tool_results.search", "does not offer"),
    "bad_tool_schema": Fault("suite.yaml", 6, "tools[0].function.parameters", "not a valid JSON schema"),
}


def load_and_prepare(path: Path) -> None:
    prepare(load_suite(path))


def test_every_fault_folder_has_an_expectation() -> None:
    folders = {p.name for p in CORPUS.iterdir() if p.is_dir() and (p / "suite.yaml").exists()}
    assert folders == set(FAULTS)


@pytest.mark.parametrize("fault", sorted(FAULTS))
def test_fault_gives_one_error_naming_file_line_and_field(fault: str) -> None:
    expected = FAULTS[fault]
    with pytest.raises(SuiteError) as info:
        load_and_prepare(CORPUS / fault / "suite.yaml")
    error = info.value
    assert error.file is not None and Path(error.file).name == expected.file
    assert Path(error.file).parent.name == fault  # the file inside this fault's folder
    assert error.line == expected.line
    if expected.field is not None:
        assert error.field == expected.field
    assert expected.says in error.message
    assert str(error).startswith(f"{error.file}:{error.line}")


def test_unknown_scorer_names_the_type_field() -> None:
    """The scorers layer checks types at prepare time; the line comes from the spec's loc."""
    with pytest.raises(SuiteError) as info:
        load_and_prepare(CORPUS / "unknown_scorer" / "suite.yaml")
    assert info.value.field is not None and info.value.field.endswith(".type")


def test_secrets_are_never_echoed() -> None:
    with pytest.raises(SuiteError) as info:
        load_suite(CORPUS / "secret_in_suite" / "suite.yaml")
    assert "sk-fake" not in str(info.value)


def test_sandbox_escape_never_runs_a_command() -> None:
    with pytest.raises(SuiteError) as info:
        load_and_prepare(CORPUS / "sandbox_globals" / "suite.yaml")
    assert "uid=" not in str(info.value)


@pytest.mark.parametrize("fault", sorted(FAULTS))
def test_cli_validate_exits_2_with_the_location(fault: str) -> None:
    result = CliRunner().invoke(main, ["validate", str(CORPUS / fault / "suite.yaml")])
    assert result.exit_code == 2
    stderr = " ".join(result.stderr.split())  # Rich wraps long lines at the console width
    expected = FAULTS[fault]
    assert f"{expected.file}:{expected.line}" in stderr.replace(" ", "")
    assert "Traceback" not in result.output + result.stderr


@pytest.mark.parametrize("fault", ["undefined_variable", "duplicate_ids_across_files", "sandbox_mro"])
def test_cli_run_exits_2_and_leaves_no_run(fault: str, tmp_path: Path) -> None:
    db = tmp_path / "results.db"
    Store(db).close()
    result = CliRunner().invoke(main, ["run", str(CORPUS / fault / "suite.yaml"), "--db", str(db), "-q"])
    assert result.exit_code == 2
    with sqlite3.connect(db) as conn:
        assert conn.execute("select count(*) from runs").fetchone() == (0,)
        assert conn.execute("select count(*) from suites").fetchone() == (0,)
