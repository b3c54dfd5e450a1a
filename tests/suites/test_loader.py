"""Loading the YAML suite format of DESIGN.md, and every way a suite file can be wrong."""

from __future__ import annotations

import pytest

from evaltui.errors import SuiteError
from evaltui.suites import load_suite, parse_model_spec
from tests.suites.conftest import WriteFile

FULL_SUITE = """
    name: support-intent
    description: Route support tickets
    prompt: |
      Classify this ticket.
      Ticket: {{ input }}
    models:
      - demo:keyword
      - id: local-qwen
        provider: openai
        model: qwen2.5-7b-instruct
        base_url: http://localhost:8000/v1
        api_key_env: OPENAI_API_KEY
        params: {temperature: 0, max_tokens: 16}
      - python:my_pkg.models:answer
    scorers:
      - type: equals
        normalize: [strip, lower]
      - not: {type: contains, value: sorry}
      - json-valid
    pass_threshold: 0.5
    epochs: 3
    cases:
      - id: refund
        input: "I was charged twice"
        expected: billing
        tags: [money]
      - input: The app crashes
        expected: no
        scorers: [icontains]
"""


def load_error(write: WriteFile, text: str, name: str = "suite.yaml") -> SuiteError:
    with pytest.raises(SuiteError) as info:
        load_suite(write(name, text))
    return info.value


def test_full_suite_loads_every_section(write: WriteFile) -> None:
    suite = load_suite(write("suite.yaml", FULL_SUITE))
    assert suite.name == "support-intent"
    assert suite.prompt is not None and suite.prompt.startswith("Classify")
    assert [m.id for m in suite.models] == ["demo:keyword", "local-qwen", "python:my_pkg.models:answer"]
    assert suite.models[1].params == {"temperature": 0, "max_tokens": 16}
    assert suite.models[2].model == "my_pkg.models:answer"
    assert (suite.pass_threshold, suite.epochs) == (0.5, 3)
    assert suite.cases[0].id == "refund"
    assert suite.cases[0].tags == ["money"]


def test_scorers_accept_mapping_negation_and_bare_name(write: WriteFile) -> None:
    suite = load_suite(write("suite.yaml", FULL_SUITE))
    equals, not_contains, json_valid = suite.scorers
    assert equals.type == "equals" and equals.options() == {"normalize": ["strip", "lower"]}
    assert not_contains.type == "contains" and not_contains.negate
    assert not_contains.options() == {"value": "sorry"}
    assert json_valid.type == "json-valid" and not json_valid.negate
    assert [s.loc.line for s in suite.scorers if s.loc] == [16, 18, 19]
    assert not_contains.loc is not None and not_contains.loc.field == "scorers[1]"


def test_case_scorers_override_and_keep_their_line(write: WriteFile) -> None:
    suite = load_suite(write("suite.yaml", FULL_SUITE))
    case = suite.cases[1]
    assert suite.scorers_for(case)[0].type == "icontains"
    assert case.scorers is not None and case.scorers[0].loc is not None
    assert case.scorers[0].loc.line == 29 and case.scorers[0].loc.field == "cases[1].scorers[0]"


def test_cases_keep_their_file_and_line(write: WriteFile) -> None:
    path = write("suite.yaml", FULL_SUITE)
    suite = load_suite(path)
    assert [(c.loc.file, c.loc.line) for c in suite.cases if c.loc] == [(str(path), 23), (str(path), 27)]
    assert suite.path == str(path.resolve())


def test_yaml_1_1_booleans_stay_text(write: WriteFile) -> None:
    """`expected: no` is the word "no" (YAML 1.2), not False: a classifier label must survive."""
    suite = load_suite(write("suite.yaml", FULL_SUITE))
    assert suite.cases[1].expected == "no"


def test_scalars_follow_the_yaml_core_schema(write: WriteFile) -> None:
    suite = load_suite(
        write(
            "suite.yaml",
            """
        name: types
        cases:
          - {input: on, expected: 42, vars: {a: 1.5, b: true, c: null, d: "007", e: 2026-01-01}}
    """,
        )
    )
    case = suite.cases[0]
    assert case.input == "on" and case.expected == 42
    assert case.vars == {"a": 1.5, "b": True, "c": None, "d": "007", "e": "2026-01-01"}


def test_unknown_top_level_key_names_line_and_key(write: WriteFile) -> None:
    error = load_error(write, "name: x\npromt: hi\ncases: [{input: a}]\n")
    assert (error.line, error.field) == (2, "promt")
    assert "unknown key" in error.message and "prompt" in error.message
    assert str(error).startswith(f"{error.file}:2: promt: unknown key")


def test_unknown_case_key_names_case_field(write: WriteFile) -> None:
    error = load_error(write, "name: x\ncases:\n  - input: a\n  - input: b\n    expect: c\n")
    assert (error.line, error.field) == (5, "cases[1].expect")


def test_wrong_type_names_field_and_type_not_value(write: WriteFile) -> None:
    error = load_error(write, "name: x\nepochs: many\ncases: [{input: a}]\n")
    assert (error.line, error.field) == (2, "epochs")
    assert "integer" in error.message and "many" not in error.message


def test_missing_name_points_at_the_suite(write: WriteFile) -> None:
    error = load_error(write, "description: d\ncases: [{input: a}]\n")
    assert (error.line, error.field, error.message) == (1, "name", "field required")


def test_missing_input_points_at_the_case(write: WriteFile) -> None:
    error = load_error(write, "name: x\ncases:\n  - input: a\n  - expected: b\n")
    assert (error.line, error.field, error.message) == (4, "cases[1].input", "field required")


def test_expected_wrong_type_in_nested_field(write: WriteFile) -> None:
    error = load_error(write, "name: x\ncases:\n  - input: a\n    tags: money\n")
    assert (error.line, error.field) == (4, "cases[0].tags")


def test_yaml_syntax_error_names_the_line(write: WriteFile) -> None:
    error = load_error(write, "name: x\ncases:\n  - input: [a\n  - input: b\n")
    assert error.line == 4 and "YAML syntax error" in error.message


def test_duplicate_yaml_key_names_both_lines(write: WriteFile) -> None:
    error = load_error(write, "name: x\ncases: [{input: a}]\nname: y\n")
    assert (error.line, error.field) == (3, "name") and "line 1" in error.message


def test_prompt_and_messages_together_are_refused(write: WriteFile) -> None:
    text = "name: x\nprompt: p\nmessages: [{role: user, content: c}]\ncases: [{input: a}]\n"
    error = load_error(write, text)
    assert (error.line, error.field) == (3, "messages")


def test_message_with_bad_role_names_the_message(write: WriteFile) -> None:
    error = load_error(
        write,
        """
        name: x
        messages:
          - {role: system, content: be brief}
          - {role: robot, content: "{{ input }}"}
        cases: [{input: a}]
    """,
    )
    assert (error.line, error.field) == (4, "messages[1].role")


def test_suite_without_cases_is_refused(write: WriteFile) -> None:
    assert load_error(write, "name: x\n").field == "cases"
    assert "no cases" in load_error(write, "name: x\ncases: []\n").message


def test_empty_file_and_non_mapping_are_refused(write: WriteFile) -> None:
    assert "empty" in load_error(write, "").message
    assert "mapping" in load_error(write, "- just\n- a list\n").message


def test_string_model_with_unknown_provider_names_the_entry(write: WriteFile) -> None:
    error = load_error(write, "name: x\nmodels:\n  - demo:keyword\n  - gpt:4o\ncases: [{input: a}]\n")
    assert (error.line, error.field) == (4, "models[1]") and "unknown provider 'gpt'" in error.message


def test_mapping_model_with_unknown_provider_names_the_field(write: WriteFile) -> None:
    error = load_error(write, "name: x\nmodels:\n  - provider: gemini\n    model: m\ncases: [{input: a}]\n")
    assert (error.line, error.field) == (3, "models[0].provider")


def test_secret_in_a_suite_is_refused_without_echoing_it(write: WriteFile) -> None:
    error = load_error(
        write,
        """
        name: x
        models:
          - provider: openai
            model: gpt-4o-mini
            api_key: sk-live-0123456789
        cases: [{input: a}]
    """,
    )
    assert (error.line, error.field) == (5, "models[0].api_key")
    assert "api_key_env" in error.message and "sk-live" not in str(error)


def test_duplicate_model_ids_are_refused(write: WriteFile) -> None:
    error = load_error(write, "name: x\nmodels: [demo:keyword, demo:keyword]\ncases: [{input: a}]\n")
    assert error.field == "models[1]" and "twice" in error.message


def test_scorer_mapping_without_type_names_the_scorer(write: WriteFile) -> None:
    error = load_error(write, "name: x\nscorers:\n  - value: sorry\ncases: [{input: a}]\n")
    assert (error.line, error.field) == (3, "scorers[0].type")


def test_not_must_stand_alone(write: WriteFile) -> None:
    error = load_error(write, "name: x\nscorers:\n  - not: contains\n    value: x\ncases: [{input: a}]\n")
    assert error.field == "scorers[0].not"


def test_reserved_var_name_is_refused(write: WriteFile) -> None:
    error = load_error(write, "name: x\ncases:\n  - input: a\n    vars: {input: b}\n")
    assert error.field == "cases[0].vars.input"


def test_python_object_tags_are_refused(write: WriteFile) -> None:
    error = load_error(write, "name: x\ncases:\n  - input: !!python/object/apply:os.system [echo hi]\n")
    assert (error.line, error.field) == (3, "cases[0].input") and "unsupported YAML tag" in error.message


def test_alias_bomb_is_refused(write: WriteFile) -> None:
    """Nine layers of ten aliases each would expand to 10^9 values; the loader stops early."""
    layers = ["l0: &l0 [x, x, x, x, x, x, x, x, x, x]"]
    layers += [f"l{i}: &l{i} [{', '.join([f'*l{i - 1}'] * 10)}]" for i in range(1, 9)]
    text = "name: x\ncases:\n  - input: a\n    vars:\n" + "".join(f"      {layer}\n" for layer in layers)
    error = load_error(write, text)
    assert "expands to more than" in error.message


def test_invalid_utf8_in_suite_names_the_line(write: WriteFile) -> None:
    error = load_error(write, b"name: x\ncases:\n  - input: caf\xe9\n")
    assert error.line == 3 and "UTF-8" in error.message


def test_model_spec_strings_parse_like_the_cli_flag() -> None:
    assert parse_model_spec("ollama:llama3.2").model_dump(include={"provider", "model"}) == {
        "provider": "ollama",
        "model": "llama3.2",
    }
    assert parse_model_spec("anthropic:claude-sonnet-4-5").id == "anthropic:claude-sonnet-4-5"
    with pytest.raises(SuiteError, match="provider:model"):
        parse_model_spec("gpt-4o")


def test_alias_cycle_is_refused(write: WriteFile) -> None:
    error = load_error(write, "name: x\ncases:\n  - input: a\n    vars: &v {self: *v}\n")
    assert "refers to the value that contains it" in error.message and error.line == 4


def test_deep_nesting_is_refused_not_a_crash(write: WriteFile) -> None:
    error = load_error(write, "name: x\ncases: [{input: " + "[" * 1500 + "]" * 1500 + "}]\n")
    assert error.line == 2 and "nested more than 64 levels" in error.message


def test_a_models_rpm_and_tpm_are_checked_where_they_are_written(write: WriteFile) -> None:
    suite = "name: x\nmodels:\n  - provider: openai\n    model: m\n    {}\ncases: [{{input: a}}]\n"
    error = load_error(write, suite.format("rpm: 0"))
    assert (error.line, error.field) == (5, "models[0].rpm")
    error = load_error(write, suite.format("tpm: lots"))
    assert (error.line, error.field) == (5, "models[0].tpm")


PRICED = "name: x\nmodels:\n  - provider: demo\n    model: echo\n    price: PRICE\ncases: [{input: a}]\n"


def test_a_model_s_price_is_read_as_usd_per_million_tokens(write: WriteFile) -> None:
    suite = load_suite(
        write("suite.yaml", PRICED.replace("PRICE", "{input_per_mtok: 1, output_per_mtok: 2.5}"))
    )
    price = suite.models[0].price
    assert price is not None and (price.input_per_mtok, price.output_per_mtok) == (1.0, 2.5)


@pytest.mark.parametrize(
    ("price", "named", "says"),
    [
        ("{input_per_mtok: -1, output_per_mtok: 2}", "input_per_mtok", "0"),
        ("{input_per_mtok: 1, output_per_mtok: .nan}", "output_per_mtok", "0"),
        ("{input_per_mtok: 1}", "output_per_mtok", "required"),
        ("{input_per_mtok: 1, output_per_mtok: 2, cached_per_mtok: 0}", "cached_per_mtok", ""),
        ("{input_per_mtok: one, output_per_mtok: 2}", "input_per_mtok", "number"),
    ],
)
def test_a_bad_price_names_its_line_and_field(write: WriteFile, price: str, named: str, says: str) -> None:
    error = load_error(write, PRICED.replace("PRICE", price))
    assert error.line == 5 and error.field is not None and error.field.startswith("models[0].price"), error
    assert named in f"{error.field} {error.message}" and says in error.message
