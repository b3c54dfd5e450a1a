"""Importing a promptfoo config into an evaltui Suite."""

from __future__ import annotations

import pytest

from evaltui.engine import prepare
from evaltui.errors import SuiteError
from evaltui.suites import render_messages
from evaltui.suites.importers import import_promptfoo, import_suite
from tests.suites.conftest import WriteFile

CONFIG = """
    description: Translate greetings
    prompts:
      - "Translate to {{ language }}: {{ input }}"
    providers:
      - openai:chat:gpt-4o-mini
      - id: anthropic:messages:claude-sonnet-4-5
        label: claude
        config: {temperature: 0}
      - ollama:llama3.2
    defaultTest:
      assert:
        - type: not-icontains
          value: sorry
    tests:
      - vars: {language: French, input: Hello}
        assert:
          - type: equals
            value: Bonjour
      - description: must look like JSON
        vars: {language: German, input: Good night}
        assert:
          - type: is-json
          - type: regex
            value: "^G"
    sharing: false
"""


def test_promptfoo_config_becomes_a_suite(write: WriteFile) -> None:
    suite = import_promptfoo(write("promptfooconfig.yaml", CONFIG))
    assert suite.name == "Translate greetings"
    assert [m.id for m in suite.models] == ["openai:gpt-4o-mini", "claude", "ollama:llama3.2"]
    assert suite.models[1].model == "claude-sonnet-4-5" and suite.models[1].params == {"temperature": 0}
    first, second = suite.cases
    assert (first.input, first.expected, first.vars) == ("Hello", "Bonjour", {"language": "French"})
    assert render_messages(suite, first)[0]["content"] == "Translate to French: Hello"
    assert [(s.type, s.negate) for s in suite.scorers] == [("icontains", True)]
    assert [(s.type, s.negate) for s in suite.scorers_for(second)] == [
        ("icontains", True),
        ("json-valid", False),
        ("regex", False),
    ]
    assert second.scorers is not None and second.scorers[2].options() == {"pattern": "^G"}


def test_imported_suite_prepares_with_the_real_scorers(write: WriteFile) -> None:
    prepared = prepare(import_promptfoo(write("promptfooconfig.yaml", CONFIG)))
    assert len(list(prepared.cases)) == 2


@pytest.mark.parametrize(
    ("kind", "says"),
    [
        ("javascript", "evaltui runs no JavaScript"),
        ("not-javascript", "evaltui runs no JavaScript"),
        ("python", "`python` scorer"),
        ("rouge-n", "no evaltui counterpart"),
    ],
)
def test_an_assertion_without_a_counterpart_is_refused_with_its_line(
    write: WriteFile, kind: str, says: str
) -> None:
    """Never dropped: a suite that silently lost a check would pass what promptfoo failed."""
    text = (
        f"prompts: ['{{{{ input }}}}']\ntests:\n  - vars: {{input: a}}\n    assert:\n      - type: {kind}\n"
    )
    with pytest.raises(SuiteError, match=says) as info:
        import_promptfoo(write("promptfooconfig.yaml", text))
    assert (info.value.line, info.value.field) == (5, "tests[0].assert[0].type")


@pytest.mark.parametrize(
    ("text", "line", "field", "says"),
    [
        ("prompts: [a]\ntests: file://tests.csv\n", 2, "tests", "must be a file in the config's folder"),
        ("prompts: [a]\nscenarios: []\ntests: [{vars: {input: x}}]\n", 2, "scenarios", "cannot import"),
        (
            "prompts: [a]\nproviders: [bedrock:claude]\ntests: [{vars: {input: x}}]\n",
            2,
            "providers[0]",
            "no evaltui counterpart",
        ),
        (
            "prompts: [a]\ntests:\n  - vars: {input: x}\n    threshold: 0.5\n",
            4,
            "tests[0].threshold",
            "cannot import",
        ),
        ("prompts: [a]\ntests: []\n", 2, "tests", "no tests"),
        (
            "prompts: [a]\ndefaultTest:\n  threshold: 0.5\ntests: [{vars: {input: x}}]\n",
            3,
            "defaultTest.threshold",
            "cannot import",
        ),
    ],
)
def test_what_cannot_be_imported_is_an_error(
    write: WriteFile, text: str, line: int, field: str, says: str
) -> None:
    with pytest.raises(SuiteError) as info:
        import_promptfoo(write("promptfooconfig.yaml", text))
    assert (info.value.line, info.value.field) == (line, field) and says in info.value.message


def test_prompt_file_is_read_next_to_the_config(write: WriteFile) -> None:
    write("prompt.txt", "Q: {{ input }}")
    suite = import_promptfoo(
        write("promptfooconfig.yaml", "prompts: [file://prompt.txt]\ntests: [{vars: {input: x}}]\n")
    )
    assert render_messages(suite, suite.cases[0])[0]["content"] == "Q: x"
    with pytest.raises(SuiteError, match="config's folder"):
        import_promptfoo(
            write("promptfooconfig.yaml", "prompts: [file://../x.txt]\ntests: [{vars: {input: x}}]\n")
        )


def test_a_key_in_a_provider_config_is_not_carried_over(write: WriteFile) -> None:
    """promptfoo configs often carry `apiKey:`; imported, it would be stored with every run. The
    model reads its key from the environment instead, and the import says which variable."""
    text = (
        "prompts: ['{{q}}']\nproviders:\n  - id: openai:gpt-4o-mini\n    config:\n"
        "      temperature: 0\n      apiKey: sk-imported-0000\ntests:\n  - vars: {q: a}\n"
    )
    imported = import_suite("promptfoo", write("promptfooconfig.yaml", text))
    model = imported.suite.models[0]
    assert model.api_key_env == "OPENAI_API_KEY" and model.params == {"temperature": 0}
    assert "sk-imported" not in imported.suite.model_dump_json() and "sk-imported" not in str(imported.notes)
    assert any(":6:" in note and "set OPENAI_API_KEY" in note for note in imported.notes)


def test_other_secrets_in_a_provider_config_are_still_refused(write: WriteFile) -> None:
    text = (
        "prompts: ['{{q}}']\nproviders:\n  - id: openai:gpt-4o-mini\n    config:\n"
        "      token: t-0000\ntests:\n  - vars: {q: a}\n"
    )
    with pytest.raises(SuiteError) as info:
        import_promptfoo(write("promptfooconfig.yaml", text))
    assert (info.value.line, info.value.field) == (5, "providers[0].config.token")


def test_promptfoos_echo_provider_imports_as_the_offline_echo_model(write: WriteFile) -> None:
    """promptfoo's `echo` provider (it answers with the prompt, for trying a config offline) was
    refused as having no counterpart; it is evaltui's `demo:echo`, and the import says how the
    two differ for a prompt of several messages."""
    text = "prompts: ['Q: {{q}}']\nproviders: [echo, {id: echo, label: mirror}]\ntests:\n  - vars: {q: a}\n"
    imported = import_suite("promptfoo", write("promptfooconfig.yaml", text))
    models = imported.suite.models
    assert [(m.provider, m.model, m.id) for m in models] == [
        ("demo", "echo", "demo:echo"),
        ("demo", "echo", "mirror"),
    ]
    assert any("echo" in note and "last user message" in note for note in imported.notes)


def test_a_json_chat_prompt_file_imports_as_the_suites_messages(write: WriteFile) -> None:
    """promptfoo's chat prompts are JSON files of {role, content} messages; they were refused
    ("prompt files are text"), so a config using one could not be imported at all."""
    chat = '[{"role": "system", "content": "You translate."}, {"role": "user", "content": "Say: {{ text }}"}]'
    write("chat.json", chat)
    suite = import_promptfoo(
        write("promptfooconfig.yaml", "prompts: [file://chat.json]\ntests: [{vars: {text: hi}}]\n")
    )
    assert render_messages(suite, suite.cases[0]) == [
        {"role": "system", "content": "You translate."},
        {"role": "user", "content": "Say: hi"},
    ]
    write("plain.txt", "Plain {{ text }}")
    both = "prompts: [file://chat.json, file://plain.txt]\ntests: [{vars: {text: hi}}]\n"
    variants = import_promptfoo(write("promptfooconfig.yaml", both)).prompts
    assert (
        variants is not None and variants[0].messages is not None and variants[1].prompt == "Plain {{ text }}"
    )
    write("bad.json", '{"role": "user"}')
    with pytest.raises(
        SuiteError, match=r"promptfooconfig.yaml:1: prompts\[0\]: .*list of \{role, content\}"
    ):
        import_promptfoo(
            write("promptfooconfig.yaml", "prompts: [file://bad.json]\ntests: [{vars: {text: hi}}]\n")
        )
