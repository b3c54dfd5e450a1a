"""Prompt templates: variables, chat messages, the sandbox, and errors that name the case."""

from __future__ import annotations

import random

import pytest

from evaltui.errors import SuiteError
from evaltui.suites import compile_templates, load_suite, render_messages
from evaltui.suites.limits import MAX_TEXT
from evaltui.suites.models import Case, Suite
from tests.suites.conftest import WriteFile


def test_prompt_sees_input_expected_vars_and_case(write: WriteFile) -> None:
    suite = load_suite(
        write(
            "s.yaml",
            """
        name: t
        prompt: |
          [{{ case.id }} {{ case.tags | join(",") }}] {{ customer }} asks: {{ input }} (want {{ expected }})
        cases:
          - {id: c1, input: "refund?", expected: billing, tags: [a, b], vars: {customer: Ada}}
    """,
        )
    )
    assert render_messages(suite, suite.cases[0]) == [
        {"role": "user", "content": "[c1 a,b] Ada asks: refund? (want billing)"}
    ]


def test_messages_render_each_role_in_order(write: WriteFile) -> None:
    suite = load_suite(
        write(
            "s.yaml",
            """
        name: t
        messages:
          - {role: system, content: "You sort {{ kind }}."}
          - {role: user, content: "{{ input }}"}
        cases: [{input: hi, vars: {kind: tickets}}]
    """,
        )
    )
    assert render_messages(suite, suite.cases[0]) == [
        {"role": "system", "content": "You sort tickets."},
        {"role": "user", "content": "hi"},
    ]


def test_structured_input_is_reachable_by_attribute(write: WriteFile) -> None:
    text = 'name: t\nprompt: "{{ input.subject }}"\ncases: [{input: {subject: S}}]\n'
    suite = load_suite(write("s.yaml", text))
    assert render_messages(suite, suite.cases[0])[0]["content"] == "S"


def test_suite_without_prompt_sends_the_input(write: WriteFile) -> None:
    suite = load_suite(write("s.yaml", "name: t\ncases: [{input: just this}]\n"))
    assert render_messages(suite, suite.cases[0]) == [{"role": "user", "content": "just this"}]


def test_html_is_not_escaped(write: WriteFile) -> None:
    suite = load_suite(write("s.yaml", 'name: t\nprompt: "{{ input }}"\ncases: [{input: "<b>&</b>"}]\n'))
    assert render_messages(suite, suite.cases[0])[0]["content"] == "<b>&</b>"


def test_undefined_variable_names_the_case_line_and_prompt(write: WriteFile) -> None:
    write("c.jsonl", '{"input": "a", "vars": {"customer": "x"}}\n{"input": "b"}\n')
    text = 'name: t\nprompt: "{{ customer }}: {{ input }}"\ncases:\n  - file: c.jsonl\n'
    suite = load_suite(write("s.yaml", text))
    assert render_messages(suite, suite.cases[0])[0]["content"] == "x: a"
    with pytest.raises(SuiteError) as info:
        render_messages(suite, suite.cases[1])
    error = info.value
    assert error.file is not None and error.file.endswith("c.jsonl")
    assert (error.line, error.field) == (2, "prompt") and "'customer' is undefined" in error.message


def test_undefined_variable_in_a_message_names_that_message(write: WriteFile) -> None:
    suite = load_suite(
        write(
            "s.yaml",
            """
        name: t
        messages:
          - {role: system, content: "ok"}
          - {role: user, content: "{{ missing }}"}
        cases: [{input: a}]
    """,
        )
    )
    with pytest.raises(SuiteError) as info:
        render_messages(suite, suite.cases[0])
    assert (info.value.line, info.value.field) == (5, "messages[1].content")


@pytest.mark.parametrize(
    "attack",
    [
        "{{ ''.__class__.__mro__ }}",
        "{{ ''.__class__.__mro__[1].__subclasses__() }}",
        "{{ cycler.__init__.__globals__.os }}",
        "{{ lipsum.__globals__['os'].popen('id').read() }}",
        "{{ input.__class__.__base__ }}",
        "{% for c in [].__class__.__base__.__subclasses__() %}{{ c }}{% endfor %}",
    ],
)
def test_sandbox_refuses_python_internals(write: WriteFile, attack: str) -> None:
    suite = load_suite(write("s.yaml", f'name: t\nprompt: "{attack}"\ncases: [{{input: a}}]\n'))
    with pytest.raises(SuiteError) as info:
        render_messages(suite, suite.cases[0])
    assert info.value.field == "prompt" and info.value.line == 3
    assert "unsafe" in info.value.message or "undefined" in info.value.message


@pytest.mark.parametrize("attack", ["{{ 'x' * 100000000 }}", "{{ 7 ** 123456789 }}", "{{ [0] * 100000000 }}"])
def test_sandbox_refuses_huge_values(write: WriteFile, attack: str) -> None:
    suite = load_suite(write("s.yaml", f'name: t\nprompt: "{attack}"\ncases: [{{input: a}}]\n'))
    with pytest.raises(SuiteError, match="sandbox refused"):
        render_messages(suite, suite.cases[0])


def test_template_runtime_error_names_the_case(write: WriteFile) -> None:
    suite = load_suite(write("s.yaml", 'name: t\nprompt: "{{ 1 / n }}"\ncases: [{input: a, vars: {n: 0}}]\n'))
    with pytest.raises(SuiteError, match="ZeroDivisionError") as info:
        render_messages(suite, suite.cases[0])
    assert (info.value.line, info.value.field) == (3, "prompt")


def test_syntax_error_at_load_names_the_template_line(write: WriteFile) -> None:
    with pytest.raises(SuiteError) as info:
        load_suite(
            write(
                "s.yaml",
                """
            name: t
            prompt: |
              Line one {{ input }}
              Line two {{ input }
            cases: [{input: a}]
        """,
            )
        )
    assert (info.value.line, info.value.field) == (4, "prompt") and "syntax error" in info.value.message


def test_syntax_error_in_a_message_names_it(write: WriteFile) -> None:
    with pytest.raises(SuiteError) as info:
        text = 'name: t\nmessages:\n  - {role: user, content: "{% if %}"}\ncases: [{input: a}]\n'
        load_suite(write("s.yaml", text))
    assert (info.value.line, info.value.field) == (3, "messages[0].content")


def test_programmatic_suite_renders_and_reports_without_locations() -> None:
    suite = Suite(name="p", prompt="Q: {{ input }} {{ nope }}", cases=[Case(id="k", input="a")])
    compile_templates(suite)
    with pytest.raises(SuiteError, match="case 'k'") as info:
        render_messages(suite, suite.cases[0])
    assert info.value.field == "prompt"


PLAIN_TEMPLATES = [
    "Q: {{ input }}",
    "{{ input }}",
    "{{input}}{{ expected }} and {{ tier }}\n",
    "  {{- input -}}  \n tail",
    "{# a note #}{{ input }}{% raw %} {{ not a name }}{% endraw %}",
    "no names at all\n\n",
    "{{ self }}",
    "{{ range }}",
    "{{ case }}",
    "{{ missing }}",
]
PLAIN_VALUES = [
    ("text", "ANSWER", {"tier": "gold"}),
    ("ünï\x00\n{{ input }}", "", {"tier": "{% raw %}"}),
    (7, None, {"tier": 3.5}),
    (["a", 1], {"k": "v"}, {"tier": None}),
    ("x", "y", {"tier": "z", "self": "shadowed?"}),
]


@pytest.mark.parametrize("template", PLAIN_TEMPLATES)
@pytest.mark.parametrize(("given", "expected", "variables"), PLAIN_VALUES)
def test_a_template_of_text_and_names_renders_as_jinja_renders_it(
    template: str, given: object, expected: object, variables: dict[str, object]
) -> None:
    """render_messages puts text values into a template of text and `{{ name }}` without Jinja:
    whatever the template and the values, what a case gets is exactly Jinja's render, or its error."""
    from evaltui.suites.sandbox import render_bounded
    from evaltui.suites.template import _compile

    case = Case(id="c1", input=given, expected=expected, vars=variables, tags=["t"])
    suite = Suite(name="t", prompt=template, cases=[case])
    context = {
        **case.vars,
        "input": case.input,
        "expected": case.expected,
        "case": {"id": case.id, "tags": case.tags, "cluster": case.cluster},
    }
    try:
        jinja = render_bounded(_compile(template), context)
    except Exception as exc:  # Jinja refuses: so must render_messages, naming the case
        with pytest.raises(SuiteError) as info:
            render_messages(suite, case)
        assert str(exc) in info.value.message
        return
    assert render_messages(suite, case) == [{"role": "user", "content": jinja}]


def test_a_plain_template_past_the_size_limit_is_refused_as_jinja_refuses_it() -> None:
    from evaltui.suites.sandbox import MAX_TEXT

    case = Case(id="c1", input="x" * MAX_TEXT)
    suite = Suite(name="t", prompt="{{ input }}!", cases=[case])
    with pytest.raises(SuiteError, match="over"):
        render_messages(suite, case)
    assert render_messages(suite, Case(id="c2", input="x" * (MAX_TEXT - 1)))[0]["content"].endswith("x!")


@pytest.mark.parametrize("template", [*PLAIN_TEMPLATES, "{{ input|upper }}", "{{ input }}{{ input }}!"])
@pytest.mark.parametrize(("given", "expected", "variables"), [*PLAIN_VALUES, ("x" * MAX_TEXT, None, {})])
@pytest.mark.parametrize("shape", ["prompt", "messages", "own messages"])
def test_the_loading_walks_render_check_fails_where_rendering_fails(
    template: str, given: object, expected: object, variables: dict[str, object], shape: str
) -> None:
    """The loader's walk checks a case of a plain template without making its messages: it passes
    every case `render_messages` renders, and refuses every other with the same error."""
    from evaltui.suites.models import Message
    from evaltui.suites.template import render_check

    own = [Message(role="user", content=template)] if shape == "own messages" else None
    case = Case(id="c1", input=given, expected=expected, vars=variables, messages=own)
    if shape == "prompt":
        suite = Suite(name="t", prompt=template, cases=[case])
    else:
        chat = [Message(role="system", content="sys {{ input }}"), Message(role="user", content=template)]
        suite = Suite(name="t", messages=chat, cases=[case])
    try:
        render_messages(suite, case)
    except SuiteError as exc:
        with pytest.raises(SuiteError) as info:
            render_check(suite)(case)
        assert (info.value.message, info.value.field) == (exc.message, exc.field)
        return
    render_check(suite)(case)


SIMPLE_PIECES = [
    "a",
    " ",
    "\n",
    "é",
    "\t",
    "-",
    "%",
    "#",
    "{",
    "}",
    "\r",
    "{{ input }}",
    "{{x}}",
    "{{  y  }}",
    "{{ none }}",
    "{{ True }}",
    "{{ self }}",
    "{{ and }}",
    "{{ input|upper }}",
    "{{- x }}",
    "{{ x -}}",
    "{% if x %}",
    "{% endif %}",
    "{#c#}",
    "{{ input }}\n",
    "\n\n",
    "{{\tx }}",
    "{{ x.y }}",
]


def test_a_template_read_without_jinja_has_the_pieces_jinjas_parser_finds() -> None:
    """Most prompts are recognised as text and names by a pattern, without importing Jinja: for any
    template the pattern reads, the same pieces as Jinja's parser (what the render is made of)."""
    from evaltui.suites.template import _parsed, _simple

    rng = random.Random(13)
    read = 0
    for _ in range(3000):
        source = "".join(rng.choice(SIMPLE_PIECES) for _ in range(rng.randint(0, 7)))
        simple = _simple(source)
        if simple is not None:
            read += 1
            assert simple == _parsed(source), repr(source)
    assert read > 300
