"""A promptfoo config (`promptfooconfig.yaml`) as an evaltui Suite.

What carries over: `description` (the suite's name); `prompts` (inline text, `file://` next to the
config, or a mapping with `raw:` or `id:`; promptfoo's Nunjucks `{{ var }}` is Jinja-compatible;
several prompts become prompt variants, `prompts:` named by their `label`, each run on every
provider, or `prompt=N` keeps one); `providers` (`openai:`, `anthropic:`, `ollama:` ids, with or
without promptfoo's `chat:`/`messages:` part, `config:` as params, `label:` as id, `apiKeyEnvar` as
`api_key_env`, `apiBaseUrl` as `base_url`; promptfoo's offline `echo` as `demo:echo`); `tests`,
inline or `file://` (CSV with `__expected` columns, JSONL, YAML or JSON lists), with `vars` and
`assert`; `defaultTest` (its `assert` become the suite's scorers, a test's own asserts are added to
them; its `vars` are every test's defaults).
A var named `input` becomes the case's input; the value of an `equals` assertion becomes its
expected value.

Assertion types map to evaltui's scorers (`ASSERT_TYPES`); `not-X` negates. A type without a
counterpart (`NOT_MAPPED`, javascript above all: evaltui runs no JavaScript) is refused naming its
file and line, never dropped. A key written into a provider's config (`apiKey`) is never carried
over: the model reads it from an environment variable instead, and the import says which.
Unknown keys are errors too.
"""

from __future__ import annotations

import csv
import io
import json
import re
from pathlib import Path
from typing import Any

from evaltui.errors import SuiteError
from evaltui.suites.casefiles import iter_case_file
from evaltui.suites.importers.base import Imported
from evaltui.suites.loader import CaseCollector, build_case
from evaltui.suites.models import (
    DEFAULT_KEY_ENVS,
    Case,
    Location,
    Message,
    ModelSpec,
    PromptVariant,
    ScorerSpec,
    Suite,
)
from evaltui.suites.specs import PROVIDERS, parse_model_spec, refuse_secret_params, scorer_from_yaml
from evaltui.suites.template import compile_templates
from evaltui.suites.validation import FlatSource, Source, validate
from evaltui.suites.yamlnodes import FieldPath, YamlDoc, decode_text, read_yaml

PROMPTFOO_KEYS = ("description", "prompts", "providers", "tests", "defaultTest")
PROMPTFOO_IGNORED = ("sharing", "outputPath", "writeLatestResults", "commandLineOptions", "evaluateOptions")
# promptfoo type -> (evaltui scorer, the option promptfoo's `value` becomes, what `threshold` becomes,
# options added)
ASSERT_TYPES: dict[str, tuple[str, str | None, str | None, dict[str, Any]]] = {
    "equals": ("equals", "value", None, {}),
    "contains": ("contains", "value", None, {}),
    "icontains": ("icontains", "value", None, {}),
    "starts-with": ("starts-with", "value", None, {}),
    "contains-any": ("contains-any", "values", None, {}),
    "contains-all": ("contains-all", "values", None, {}),
    "icontains-any": ("contains-any", "values", None, {"normalize": ["lower"]}),
    "icontains-all": ("contains-all", "values", None, {"normalize": ["lower"]}),
    "regex": ("regex", "pattern", None, {}),
    "is-json": ("json-valid", None, None, {}),
    "llm-rubric": ("llm-judge", "rubric", "threshold", {}),
    "similar": ("similarity", "value", "threshold", {}),
    "latency": ("latency", None, "max_ms", {}),
    "cost": ("cost", None, "max_usd", {}),
}
# Types of promptfoo's documentation with no evaltui counterpart, and what to do instead.
NOT_MAPPED = {
    "javascript": "evaltui runs no JavaScript; rewrite the check as a `python` scorer (module:function)",
    "python": "promptfoo's inline Python is not imported; move it into a function and use a "
    "`python` scorer (module:function)",
    "webhook": "evaltui calls no webhooks from scorers; use a `python` scorer",
}
_UNMAPPED = "has no evaltui counterpart; the types that import are: " + ", ".join(sorted(ASSERT_TYPES))
_PROVIDER_API_PARTS = ("chat", "messages", "completion")
_TEST_KEYS = ("vars", "assert", "description", "options", "metadata")  # the last three are not imported
_KEY_FIELDS = ("apiKey", "api_key")  # a key written into a provider's config
_PROVIDER_CONFIG = {"apiKeyEnvar": "api_key_env", "apiBaseUrl": "base_url", "apiHost": "base_url"}


def import_promptfoo(path: str | Path, *, prompt: int | None = None) -> Imported:
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
    notes: list[str] = []
    default = data.get("defaultTest") or {}
    if not isinstance(default, dict):
        raise doc.error("defaultTest is a mapping with `vars:` and `assert:`", ("defaultTest",))
    for key in default:
        if key not in _TEST_KEYS:
            keys = ", ".join(_TEST_KEYS)
            raise doc.error(f"cannot import this key; defaultTest may have: {keys}", ("defaultTest", key))
    fields = {
        "name": str(data.get("description") or path.stem),
        **_prompts(data.get("prompts"), doc, path.parent, prompt),
        "models": [
            _provider(p, doc, ("providers", i), notes) for i, p in enumerate(_list(data.get("providers")))
        ],
        "scorers": _asserts(default.get("assert"), doc, ("defaultTest", "assert")),
    }
    suite = validate(Suite, fields, doc, ())
    default_vars = default.get("vars") or {}
    collector = CaseCollector(doc, path.parent)
    for test, source, where in _tests(data.get("tests"), doc, path.parent):
        collector.add(_case(test, suite.scorers, default_vars, source, where), True)
    if not collector.cases:
        raise doc.error("the config has no tests", ("tests",))
    suite.cases = collector.cases
    suite.path = str(path.resolve())
    suite.loc = Location(file=doc.file, line=1)
    for variant in suite.prompts or ():
        compile_templates(suite.model_copy(update={"prompt": variant.prompt, "prompts": None}))
    compile_templates(suite)
    origins = (
        ("name", "description"),
        ("prompt", f"prompts[{(prompt or 1) - 1}] (line {doc.line_of(('prompts',))})"),
        ("prompts", f"prompts (line {doc.line_of(('prompts',))}): each a variant, run on every model"),
        ("models", "providers: config as params, label as id"),
        ("scorers", "defaultTest.assert (a test's own assertions are added per case)"),
        ("cases", "tests: vars (input as the input), an equals assertion's value as expected"),
    )
    return Imported(suite=suite, source=f"promptfoo config {path.name}", notes=tuple(notes), origins=origins)


def _list(value: Any) -> list[Any]:
    return [] if value is None else value if isinstance(value, list) else [value]


def _inside(folder: Path, name: str, doc: YamlDoc, path: FieldPath) -> Path:
    target = (folder / name.removeprefix("file://")).resolve()
    if not target.is_relative_to(folder.resolve()) or not target.is_file():
        raise doc.error(f"{name} must be a file in the config's folder or below it", path)
    return target


def _prompts(value: Any, doc: YamlDoc, folder: Path, chosen: int | None) -> dict[str, Any]:
    """The suite's `prompt`, or with several prompts its `prompts` variants (each run on every
    model, as runs named model@variant); `chosen` (1-based) keeps one of them."""
    prompts = _list(value)
    if chosen is not None and not 1 <= chosen <= len(prompts):
        raise doc.error(f"there is no prompt {chosen}: the config has {len(prompts)}", ("prompts",))
    if chosen is not None or len(prompts) == 1:
        index = (chosen or 1) - 1
        one = _prompt_text(prompts[index], index, doc, folder)
        return {"messages": one} if isinstance(one, list) else {"prompt": one}
    if not prompts:
        raise doc.error("a promptfoo config needs `prompts:`", ("prompts",))
    variants, used = [], set()
    for index, item in enumerate(prompts):
        label = item.get("label") if isinstance(item, dict) else None
        name = re.sub(r"[^A-Za-z0-9_.\-]+", "-", str(label or "")).strip("-._")[:64] or f"prompt-{index + 1}"
        name = name if name not in used else f"prompt-{index + 1}"
        used.add(name)
        text = _prompt_text(item, index, doc, folder)
        chat = isinstance(text, list)
        variants.append(
            PromptVariant(id=name, messages=text if chat else None, prompt=None if chat else text)
        )
    return {"prompts": variants}


def _prompt_text(item: Any, index: int, doc: YamlDoc, folder: Path) -> str | list[Message]:
    """A prompt's text, or the messages of a chat prompt (a .json file, as promptfoo writes them)."""
    if isinstance(item, dict):
        item = item.get("raw") or item.get("id")
    if not isinstance(item, str):
        raise doc.error("a prompt is text, `file://name.txt` or a mapping with `raw:`", ("prompts", index))
    if not item.startswith("file://"):
        return item
    target = _inside(folder, item, doc, ("prompts", index))
    if target.suffix == ".json":
        return _chat(decode_text(target.read_bytes(), str(target)), target.name, doc, ("prompts", index))
    if target.suffix not in (".txt", ".md", ".j2", ".jinja", ""):
        raise doc.error(
            f"prompt files are text; {target.suffix} prompts are not imported", ("prompts", index)
        )
    return decode_text(target.read_bytes(), str(target))


def _chat(text: str, name: str, doc: YamlDoc, path: FieldPath) -> list[Message]:
    """A JSON chat prompt: a list of {role, content} messages (system, user, assistant)."""
    try:
        value = json.loads(text)
    except ValueError as exc:
        raise doc.error(f"{name} is not JSON: {exc}", path) from exc
    roles = ("system", "user", "assistant")
    if (
        not isinstance(value, list)
        or not value
        or not all(
            isinstance(m, dict) and m.get("role") in roles and isinstance(m.get("content"), str)
            for m in value
        )
    ):
        raise doc.error(
            f"{name}: a chat prompt is a list of {{role, content}} messages ({', '.join(roles)})", path
        )
    return [Message(role=m["role"], content=m["content"]) for m in value]


def _provider(item: Any, doc: YamlDoc, path: FieldPath, notes: list[str]) -> ModelSpec:
    options: Any = {"id": item} if isinstance(item, str) else item
    spec_id = options.get("id") if isinstance(options, dict) else None
    if not isinstance(spec_id, str):
        raise doc.error("a provider is an id string or a mapping with `id:`", path)
    if spec_id == "echo":  # promptfoo's offline provider: it answers with the prompt
        spec_id = "demo:echo"
        said = (
            f"{doc.file}: promptfoo's echo provider is imported as demo:echo, which answers with the "
            "last user message (promptfoo's echo answers with the whole prompt)"
        )
        if said not in notes:
            notes.append(said)
    provider, _, rest = spec_id.partition(":")
    head, sep, tail = rest.partition(":")
    model = tail if sep and head in _PROVIDER_API_PARTS else rest
    if provider not in PROVIDERS:
        raise doc.error(f"provider {provider!r} has no evaltui counterpart ({', '.join(PROVIDERS)})", path)
    spec = parse_model_spec(f"{provider}:{model}", file=doc.file, line=doc.line_of(path))
    params = dict(options.get("config") or {})
    update: dict[str, Any] = {}
    for written, field in _PROVIDER_CONFIG.items():
        if written in params:
            update[field] = str(params.pop(written))
    for key in _KEY_FIELDS:
        if key in params:
            params.pop(key)
            env = update.setdefault("api_key_env", DEFAULT_KEY_ENVS.get(provider, "API_KEY"))
            line = doc.line_of((*path, "config", key))
            notes.append(
                f"{doc.file}:{line}: the API key written in {spec_id}'s config was not carried over; "
                f"set {env} in the environment instead"
            )
    refuse_secret_params(params, doc, (*path, "config"))
    label = options.get("label")
    return spec.model_copy(update={"params": params, "id": str(label) if label else spec.id, **update})


def _asserts(value: Any, source: Source, path: FieldPath) -> list[ScorerSpec]:
    if value is None:
        return []
    if not isinstance(value, list):
        raise source.error("assert is a list of assertions", path)
    return [_assertion(item, source, (*path, i)) for i, item in enumerate(value)]


def _assertion(item: Any, source: Source, path: FieldPath) -> ScorerSpec:
    if not isinstance(item, dict) or not isinstance(item.get("type"), str):
        raise source.error("an assertion is a mapping with `type:`", path)
    written: str = item["type"]
    negate = written.startswith("not-") and written != "not-contains"
    kind = written.removeprefix("not-") if negate else written
    if kind in NOT_MAPPED:
        raise source.error(f"a {written!r} assertion cannot be imported: {NOT_MAPPED[kind]}", (*path, "type"))
    if kind not in ASSERT_TYPES and kind != "not-contains":
        raise source.error(f"the assertion type {written!r} {_UNMAPPED}", (*path, "type"))
    scorer, value_as, threshold_as, added = ASSERT_TYPES.get(kind, ("not-contains", "value", None, {}))
    spec: dict[str, Any] = {"type": scorer, **added}
    for key, value in item.items():
        if key == "value" and value_as:
            spec[value_as] = value
        elif key == "value" and scorer == "json-valid" and isinstance(value, dict):
            spec = {"type": "json-schema", "schema": value}
        elif key == "threshold" and threshold_as:
            spec[threshold_as] = value
        elif key == "metric":
            spec["name"] = value
        elif key == "weight":
            spec["weight"] = value
        elif key != "type":
            raise source.error(f"this assertion key is not imported (from a {written!r})", (*path, key))
    return scorer_from_yaml({"not": spec} if negate else spec, source, path)


def _tests(value: Any, doc: YamlDoc, folder: Path) -> Any:
    """(test, source, path) for every test: inline ones, and those of every `file://` entry."""
    entries = [value] if isinstance(value, str) else _list(value)
    for index, entry in enumerate(entries):
        where: FieldPath = ("tests",) if isinstance(value, str) else ("tests", index)
        if isinstance(entry, str):
            if not entry.startswith("file://"):
                raise doc.error("a test is a mapping, or `file://` tests (CSV, JSONL, YAML)", where)
            shown = Path(doc.file).parent / entry.removeprefix("file://")
            yield from _test_file(_inside(folder, entry, doc, where), str(shown), doc, where)
        else:
            yield entry, doc, where


def _test_file(target: Path, display: str, doc: YamlDoc, where: FieldPath) -> Any:
    suffix = target.suffix.lower()
    if suffix == ".csv":
        yield from _csv_tests(target, display)
    elif suffix == ".jsonl":
        for line, fields in iter_case_file(target, display):
            yield fields, FlatSource(display, line), ()
    elif suffix in (".yaml", ".yml", ".json"):
        listed = read_yaml(target, display)
        if not isinstance(listed.data, list):
            raise listed.error("a tests file is a list of tests", ())
        for index, test in enumerate(listed.data):
            yield test, listed, (index,)
    else:
        raise doc.error(
            f"tests from {suffix or 'this'} files are not imported (CSV, JSONL, YAML, JSON)", where
        )


def _csv_tests(target: Path, display: str) -> Any:
    """promptfoo's test CSV: every column a var, except `__expected` (and `__expected2`, …), an
    assertion written as `type: value` (plain text meaning equals), and other `__` columns."""
    text = decode_text(target.read_bytes(), display)
    rows = csv.reader(io.StringIO(text, newline=""))
    header = next(rows, None)
    if not header:
        raise SuiteError("the tests CSV is empty", file=display, line=1)
    for number, row in enumerate(rows, start=2):
        if not any(cell.strip() for cell in row):
            continue
        if len(row) != len(header):
            raise SuiteError(f"{len(row)} cells, the header has {len(header)}", file=display, line=number)
        cells = dict(zip(header, row, strict=True))
        test = {
            "vars": {k: v for k, v in cells.items() if not k.startswith("__")},
            "assert": [_expected(v) for k, v in cells.items() if k.startswith("__expected") and v.strip()],
        }
        yield test, FlatSource(display, number), ()


def _expected(text: str) -> dict[str, Any]:
    """An `__expected` cell: `contains: x`, `not-icontains: x`, `is-json`, or plain text (equals)."""
    kind, sep, value = text.partition(":")
    kind = kind.strip()
    known = kind.removeprefix("not-") in {*ASSERT_TYPES, *NOT_MAPPED, "not-contains", "grade"}
    if not known or (not sep and kind != "is-json"):
        return {"type": "equals", "value": text}
    kind = "llm-rubric" if kind == "grade" else kind
    return {"type": kind, "value": value.strip()} if sep else {"type": kind}


def _case(test: Any, defaults: list[ScorerSpec], default_vars: Any, source: Source, path: FieldPath) -> Case:
    """A test's own assertions come on top of defaultTest's (promptfoo adds, evaltui replaces)."""
    if not isinstance(test, dict):
        raise source.error("a test is a mapping with `vars:` and `assert:`", path)
    for key in test:
        if key not in _TEST_KEYS:
            raise source.error(
                f"cannot import this key; a test may have: {', '.join(_TEST_KEYS)}", (*path, key)
            )
    variables = test.get("vars") or {}
    if not isinstance(variables, dict):
        raise source.error("vars is a mapping of names to values", (*path, "vars"))
    variables = {**(default_vars if isinstance(default_vars, dict) else {}), **variables}
    own = _asserts(test.get("assert"), source, (*path, "assert"))
    expected = next((s.options().get("value") for s in own if s.type == "equals" and not s.negate), None)
    fields: dict[str, Any] = {
        "input": variables.get("input", ""),
        "vars": {k: v for k, v in variables.items() if k != "input"},
    }
    if expected is not None:
        fields["expected"] = expected
    case = build_case(fields, source, path)
    return case.model_copy(update={"scorers": [*defaults, *own]}) if own else case
