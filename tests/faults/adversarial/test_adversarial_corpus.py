"""The adversarial corpus: suites written to exhaust time or memory, smuggle secrets into the
results database, or read files outside the suite's folder (issue 12). Each file here is one attack.
`evaltui validate` refuses it quickly with exit 2 and one message naming the file, the line and the
field, no traceback, and without echoing the secret it carried.

What a hostile process, file or terminal does (FIFOs, read-only databases, Python components that
never return or print) is in tests/cli/test_hostile_input.py and tests/providers; the broken-suite
corpus (mistakes rather than attacks) is tests/faults/bad_suites."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest
from click.testing import CliRunner

from evaltui.cli import main
from evaltui.engine import prepare
from evaltui.errors import SuiteError
from evaltui.suites import load_suite

CORPUS = Path(__file__).parent
SECRET = "sk-adversarial"


@dataclass(frozen=True)
class Attack:
    file: str  # the file the error names
    line: int
    field: str | None
    says: str  # a fragment of the message


ATTACKS: dict[str, Attack] = {
    "template_nested_range": Attack("template_nested_range.yaml", 3, "prompt", "loop iterations"),
    "template_lipsum": Attack("template_lipsum.yaml", 3, "prompt", "lipsum() argument"),
    "template_int_power": Attack("template_int_power.yaml", 3, "prompt", "bits"),
    "template_center_huge": Attack("template_center_huge.yaml", 3, "prompt", "center width"),
    "template_center_width": Attack("template_center_width.yaml", 3, "prompt", "center width"),
    "template_ljust_width": Attack("template_ljust_width.yaml", 3, "prompt", "ljust width"),
    "template_percent_width": Attack("template_percent_width.yaml", 3, "prompt", "format width"),
    "template_format_width": Attack("template_format_width.yaml", 3, "prompt", "format width"),
    "template_doubling": Attack("template_doubling.yaml", 3, "prompt", "over the limit"),
    "template_list_doubling": Attack("template_list_doubling.yaml", 3, "prompt", "over the limit"),
    "template_join_bomb": Attack("template_join_bomb.yaml", 3, "prompt", "join"),
    "template_replace_square": Attack("template_replace_square.yaml", 3, "prompt", "replace"),
    "template_macro_doubling": Attack(
        "template_macro_doubling.yaml", 3, "prompt", "loop iterations and calls"
    ),
    "template_long_output": Attack("template_long_output.yaml", 3, "prompt", "over"),
    "template_wordwrap_bomb": Attack("template_wordwrap_bomb.yaml", 3, "prompt", "wordwrap"),
    "yaml_alias_bytes": Attack("yaml_alias_bytes.yaml", 7, None, "aliases"),
    "epochs_huge": Attack("epochs_huge.yaml", 2, "epochs", "less than or equal to"),
    "jsonl_deep_nesting": Attack("jsonl_deep_nesting.jsonl", 2, None, "nested"),
    "jsonl_duplicate_key": Attack("jsonl_duplicate_key.jsonl", 2, "input", "duplicate key"),
    "url_userinfo": Attack("url_userinfo.yaml", 5, "models[0].base_url", "api_key_env"),
    "params_api_key": Attack("params_api_key.yaml", 5, "models[0].params.api_key", "api_key_env"),
    "params_authorization": Attack(
        "params_authorization.yaml", 6, "models[0].params.extra.Authorization", "api_key_env"
    ),
    "schema_file_escape": Attack(
        "schema_file_escape.yaml", 3, "scorers[0].schema_file", "outside the suite's folder"
    ),
    "schema_file_secret": Attack(
        "schema_file_secret.yaml", 3, "scorers[0].schema_file", "not a valid JSON schema"
    ),
    "schema_file_absolute": Attack("schema_file_absolute.yaml", 3, "scorers[0].schema_file", "relative"),
}


def test_every_attack_in_the_folder_has_an_expectation() -> None:
    suites = {p.stem for p in CORPUS.glob("*.yaml")}
    assert suites == set(ATTACKS)


@pytest.mark.timeout(60)
@pytest.mark.parametrize("attack", sorted(ATTACKS))
def test_attack_is_refused_naming_file_line_and_field(attack: str) -> None:
    expected = ATTACKS[attack]
    with pytest.raises(SuiteError) as info:
        prepare(load_suite(CORPUS / f"{attack}.yaml"))
    error = info.value
    assert error.file is not None and Path(error.file).name == expected.file
    assert (error.line, error.field) == (expected.line, expected.field or error.field), str(error)
    assert expected.says in error.message, str(error)
    assert SECRET not in str(error)


@pytest.mark.timeout(60)
@pytest.mark.parametrize("attack", sorted(ATTACKS))
def test_validate_exits_2_with_one_located_line(attack: str) -> None:
    result = CliRunner().invoke(main, ["validate", str(CORPUS / f"{attack}.yaml")])
    output = result.output + result.stderr
    assert result.exit_code == 2, output
    expected = ATTACKS[attack]
    assert f"{expected.file}:{expected.line}" in " ".join(result.stderr.split()).replace(" ", "")
    assert "Traceback" not in output and SECRET not in output
