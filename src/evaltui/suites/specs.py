"""Model and scorer entries as written in a suite, turned into `ModelSpec` and `ScorerSpec`.

Models: a string `provider:model` (`demo:keyword`, `openai:gpt-4o-mini`, `ollama:llama3.2`,
`python:pkg.module:function`) or a full mapping. Scorers: a bare type (`- json-valid`), a mapping
with `type:` and that scorer's options, or `- not: {type: contains, value: sorry}` to negate one.
Unknown scorer types are left for the scorers layer, which owns the registry; each spec keeps
its `loc` so that layer can still name the line.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any, get_args
from urllib.parse import urlsplit

from evaltui.errors import SuiteError
from evaltui.suites.models import Location, ModelSpec, ProviderName, ScorerSpec, Suite
from evaltui.suites.validation import Source, validate
from evaltui.suites.yamlnodes import FieldPath, format_path

PROVIDERS: tuple[str, ...] = get_args(ProviderName)
_SECRET_KEYS = ("api_key", "apikey", "key", "token", "password", "secret", "authorization")
_SECRET_SUFFIXES = ("_key", "_token", "_secret", "_password")
_USE_KEY_ENV = (
    "secrets are never written in a suite (they would be stored with every run); put the key "
    "in an environment variable and name it with `api_key_env:`"
)


def named_models(suite: Suite, wanted: Iterable[str | ModelSpec]) -> list[ModelSpec]:
    """Each of `wanted` names one of the suite's models by id, or is a spec of its own (text, or a
    ModelSpec already): what `-m`, the Launch dialog and the Python API's `models=` mean."""
    by_id = {model.id: model for model in suite.models}
    return [w if isinstance(w, ModelSpec) else by_id.get(w) or parse_model_spec(w) for w in wanted]


def parse_model_spec(
    text: str, *, file: str | None = None, line: int | None = None, field: str | None = None
) -> ModelSpec:
    """`provider:model` -> ModelSpec. The CLI's `-m` flag uses this too (file=None). `recorded`
    alone is the model that answers with each case's recorded `output:`."""
    if text.strip() == "recorded":
        return ModelSpec(provider="recorded")
    provider, sep, model = text.strip().partition(":")
    # typed (-m, the Launch dialog, the Python API): no file to name, so the spec is named
    said = "" if file else f"model {text!r}: "
    if not sep or not provider:
        raise SuiteError(
            f"{said}write a model as provider:model (e.g. demo:keyword, openai:gpt-4o-mini); got {text!r}",
            file=file,
            line=line,
            field=field,
        )
    if provider not in PROVIDERS:
        raise SuiteError(
            f"{said}unknown provider {provider!r}; expected one of: {', '.join(PROVIDERS)}",
            file=file,
            line=line,
            field=field,
        )
    if not model and provider not in ("demo", "recorded"):
        raise SuiteError(
            f"{said}{provider}: needs a model name after the colon", file=file, line=line, field=field
        )
    return ModelSpec(provider=provider, model=model)


def model_from_yaml(value: Any, source: Source, path: FieldPath) -> ModelSpec:
    if isinstance(value, str):
        return parse_model_spec(value, file=source.file, line=source.line_of(path), field=format_path(path))
    if not isinstance(value, dict):
        raise source.error("a model is a `provider:model` string or a mapping with `provider:`", path)
    for key in value:
        if _is_secret_key(key):
            raise source.error(_USE_KEY_ENV, (*path, key))
    refuse_secret_params(value.get("params"), source, (*path, "params"))
    base_url = value.get("base_url")
    if isinstance(base_url, str) and _has_userinfo(base_url):
        raise source.error(f"a user or password in the URL: {_USE_KEY_ENV}", (*path, "base_url"))
    spec = validate(ModelSpec, value, source, path)
    if spec.ca_file is not None:
        # Relative to the suite's folder, as case files are; checked now so `validate` names it.
        ca_file = Path(source.file).parent / Path(spec.ca_file).expanduser()
        if not ca_file.is_file():
            raise source.error("ca_file: no such file (a PEM file of CA certificates)", (*path, "ca_file"))
        spec = spec.model_copy(update={"ca_file": str(ca_file.resolve())})
    return spec


def _is_secret_key(key: Any) -> bool:
    name = str(key).lower().replace("-", "_")
    return name in _SECRET_KEYS or name.endswith(_SECRET_SUFFIXES)


def refuse_secret_params(value: Any, source: Source, path: FieldPath) -> None:
    """Params are stored with the run and sent as they are: no key in them, at any depth."""
    if isinstance(value, dict):
        for key, item in value.items():
            if _is_secret_key(key):
                raise source.error(_USE_KEY_ENV, (*path, key))
            refuse_secret_params(item, source, (*path, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            refuse_secret_params(item, source, (*path, index))


def _has_userinfo(url: str) -> bool:
    try:
        parts = urlsplit(url.strip())
    except ValueError:
        return False  # not a URL at all: the provider refuses it with its own message
    return "@" in parts.netloc


def models_from_yaml(value: Any, source: Source, path: FieldPath) -> list[ModelSpec]:
    items = _as_list(value, source, path, "models")
    specs: list[ModelSpec] = []
    seen: dict[str, int] = {}
    for index, item in enumerate(items):
        spec = model_from_yaml(item, source, (*path, index))
        if spec.id in seen:
            raise source.error(
                f"model id {spec.id!r} is listed twice (first as models[{seen[spec.id]}]); give one an `id:`",
                (*path, index),
            )
        seen[spec.id] = index
        specs.append(spec)
    return specs


def scorer_from_yaml(value: Any, source: Source, path: FieldPath) -> ScorerSpec:
    loc = Location(file=source.file, line=source.line_of(path), field=format_path(path) or None)
    if isinstance(value, str):
        if not value.strip():
            raise source.error("a scorer name cannot be empty", path)
        return ScorerSpec(type=value.strip(), loc=loc)
    if not isinstance(value, dict):
        raise source.error("a scorer is a type name, a mapping with `type:`, or `not: {...}`", path)
    if "not" in value:
        if len(value) != 1:
            raise source.error("`not:` stands alone; put the scorer's keys inside it", (*path, "not"))
        inner = scorer_from_yaml(value["not"], source, (*path, "not"))
        if inner.negate:
            raise source.error("`not:` inside `not:` cancels out; remove both", (*path, "not"))
        return inner.model_copy(update={"negate": True, "loc": loc})
    if value.get("type") == "tool-call" and "name" in value and "tool" not in value:
        # The tool's name, as a tool-call scorer is usually written; the label names it too.
        value = {**value, "tool": value["name"], "name": f"tool-call {value['name']}"}
    spec = validate(ScorerSpec, value, source, path)
    return spec.model_copy(update={"loc": loc})


def scorers_from_yaml(value: Any, source: Source, path: FieldPath) -> list[ScorerSpec]:
    items = _as_list(value, source, path, "scorers")
    return [scorer_from_yaml(item, source, (*path, index)) for index, item in enumerate(items)]


def _as_list(value: Any, source: Source, path: FieldPath, what: str) -> list[Any]:
    if value is None:
        return []
    if isinstance(value, (str, dict)):
        return [value]  # one entry written without the list dash
    if not isinstance(value, list):
        raise source.error(f"{what} must be a list", path)
    return value
