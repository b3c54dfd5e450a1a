"""Importers from other tools' formats. `import_promptfoo(path)` reads a `promptfooconfig.yaml`.

What carries over: `description` (the suite's name); one entry of `prompts` (inline text or
`file://` next to the config; promptfoo's Nunjucks `{{ var }}` is Jinja-compatible); `providers`
(`openai:`, `anthropic:`, `ollama:` ids, with or without promptfoo's `chat:`/`messages:` part,
`config:` as params, `label:` as id); `tests` with `vars` and `assert` (a test's `description`,
`options` and `metadata` are not imported); `defaultTest.assert` as the suite's scorers (a test's
own asserts are added to them). A var named `input` becomes the case's input; the value of an
`equals` assertion becomes its expected value. Assertion types map to evaltui's scorers
(`is-json` -> `json-valid`, `not-X` -> `not: X`); a type with no counterpart is kept as written,
so preparing the suite names it and its line. Several prompts, `file://` tests and unknown keys
are errors, never silently dropped.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from evaltui.suites.loader import CaseCollector, build_case
from evaltui.suites.models import Case, Location, ModelSpec, ScorerSpec, Suite
from evaltui.suites.specs import PROVIDERS, parse_model_spec, refuse_secret_params, scorer_from_yaml
from evaltui.suites.template import compile_templates
from evaltui.suites.validation import validate
from evaltui.suites.yamlnodes import FieldPath, YamlDoc, read_yaml

PROMPTFOO_KEYS = ("description", "prompts", "providers", "tests", "defaultTest")
PROMPTFOO_IGNORED = ("sharing", "outputPath", "writeLatestResults", "commandLineOptions", "evaluateOptions")
ASSERT_TYPES = {"is-json": "json-valid", "similar": "similarity", "llm-rubric": "llm-judge"}
_LIST_VALUE_TYPES = ("contains-any", "contains-all")
_PROVIDER_API_PARTS = ("chat", "messages", "completion")
_TEST_KEYS = ("vars", "assert", "description", "options", "metadata")  # the last three are not imported


def import_promptfoo(path: str | Path) -> Suite:
    """A promptfoo config as an evaltui Suite; SuiteError (file, line, field) on what cannot map."""
    path = Path(path)
    doc = read_yaml(path, str(path))
    data = doc.data
    if not isinstance(data, dict):
        raise doc.error("a promptfoo config is a mapping with `prompts:` and `tests:`", ())
    for key in data:
        if key not in PROMPTFOO_KEYS and key not in PROMPTFOO_IGNORED:
            raise doc.error(
                f"cannot import this key; evaltui understands: {', '.join(PROMPTFOO_KEYS)}", (key,)
            )
    default = data.get("defaultTest") or {}
    fields = {
        "name": str(data.get("description") or path.stem),
        "prompt": _prompt(data.get("prompts"), doc, path.parent),
        "models": [_provider(p, doc, ("providers", i)) for i, p in enumerate(_list(data, "providers", doc))],
        "scorers": _asserts(
            default.get("assert") if isinstance(default, dict) else None, doc, ("defaultTest", "assert")
        ),
    }
    suite = validate(Suite, fields, doc, ())
    collector = CaseCollector(doc, path.parent)
    for index, test in enumerate(_list(data, "tests", doc)):
        collector.add(_case(test, suite.scorers, doc, ("tests", index)), True)
    if not collector.cases:
        raise doc.error("the config has no tests", ("tests",))
    suite.cases = collector.cases
    suite.path = str(path.resolve())
    suite.loc = Location(file=doc.file, line=1)
    compile_templates(suite)
    return suite


def _list(data: dict[str, Any], key: str, doc: YamlDoc) -> list[Any]:
    value = data.get(key)
    if value is None:
        return []
    if isinstance(value, str) and value.startswith("file://"):
        raise doc.error(f"{key} read from a file are not imported; list them inline", (key,))
    return value if isinstance(value, list) else [value]


def _prompt(value: Any, doc: YamlDoc, folder: Path) -> str:
    prompts = value if isinstance(value, list) else [value] if value is not None else []
    if len(prompts) != 1:
        raise doc.error(
            f"evaltui runs one prompt per suite; this config has {len(prompts)} "
            "(split it into one suite per prompt)",
            ("prompts",),
        )
    prompt = prompts[0]
    if isinstance(prompt, dict):
        prompt = prompt.get("raw")
    if not isinstance(prompt, str):
        raise doc.error("a prompt is text, `file://name.txt` or a mapping with `raw:`", ("prompts", 0))
    if not prompt.startswith("file://"):
        return prompt
    target = (folder / prompt.removeprefix("file://")).resolve()
    if not target.is_relative_to(folder.resolve()) or not target.is_file():
        raise doc.error("the prompt file must exist in the config's folder or below it", ("prompts", 0))
    return target.read_text(encoding="utf-8")


def _provider(item: Any, doc: YamlDoc, path: FieldPath) -> ModelSpec:
    options: Any = {"id": item} if isinstance(item, str) else item
    spec_id = options.get("id") if isinstance(options, dict) else None
    if not isinstance(spec_id, str):
        raise doc.error("a provider is an id string or a mapping with `id:`", path)
    provider, _, rest = spec_id.partition(":")
    head, sep, tail = rest.partition(":")
    model = tail if sep and head in _PROVIDER_API_PARTS else rest
    if provider not in PROVIDERS:
        raise doc.error(f"provider {provider!r} has no evaltui counterpart ({', '.join(PROVIDERS)})", path)
    spec = parse_model_spec(f"{provider}:{model}", file=doc.file, line=doc.line_of(path))
    params = options.get("config") or {}
    refuse_secret_params(params, doc, (*path, "config"))
    label = options.get("label")
    return spec.model_copy(update={"params": dict(params), "id": str(label) if label else spec.id})


def _asserts(value: Any, doc: YamlDoc, path: FieldPath) -> list[ScorerSpec]:
    if value is None:
        return []
    if not isinstance(value, list):
        raise doc.error("assert is a list of assertions", path)
    return [_assertion(item, doc, (*path, i)) for i, item in enumerate(value)]


def _assertion(item: Any, doc: YamlDoc, path: FieldPath) -> ScorerSpec:
    if not isinstance(item, dict) or not isinstance(item.get("type"), str):
        raise doc.error("an assertion is a mapping with `type:`", path)
    kind: str = item["type"]
    negate = kind.startswith("not-")
    kind = ASSERT_TYPES.get(kind.removeprefix("not-"), kind.removeprefix("not-"))
    written = {key: value for key, value in item.items() if key not in ("type", "metric")}
    if "value" in written and kind == "regex":
        written["pattern"] = written.pop("value")
    elif "value" in written and kind in _LIST_VALUE_TYPES:
        written["values"] = written.pop("value")
    spec = {"type": kind, **written}
    return scorer_from_yaml({"not": spec} if negate else spec, doc, path)


def _case(test: Any, defaults: list[ScorerSpec], doc: YamlDoc, path: FieldPath) -> Case:
    """A test's own assertions come on top of defaultTest's (promptfoo adds, evaltui replaces)."""
    if not isinstance(test, dict):
        raise doc.error("a test is a mapping with `vars:` and `assert:`", path)
    for key in test:
        if key not in _TEST_KEYS:
            raise doc.error(f"cannot import this key; a test may have: {', '.join(_TEST_KEYS)}", (*path, key))
    variables = test.get("vars") or {}
    if not isinstance(variables, dict):
        raise doc.error("vars is a mapping of names to values", (*path, "vars"))
    own = _asserts(test.get("assert"), doc, (*path, "assert"))
    expected = next((s.options().get("value") for s in own if s.type == "equals" and not s.negate), None)
    fields: dict[str, Any] = {
        "input": variables.get("input", ""),
        "expected": expected,
        "vars": {k: v for k, v in variables.items() if k != "input"},
    }
    case = build_case(fields, doc, path)
    return case.model_copy(update={"scorers": [*defaults, *own]}) if own else case
