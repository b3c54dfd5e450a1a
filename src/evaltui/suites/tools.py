"""The tool parts of a suite: `tools:` (or `tools_file:`), `response_format:` and each case's
`tool_results:`, checked where they are written so a mistake is a SuiteError naming the file, the
line and the field before any model is asked.

`tool_results` values take three forms. A string is the tool's result as it is; any other JSON
value is sent as JSON text; a list of `{when: {argument: value}, result: ...}` entries picks the
first entry whose `when` values equal the call's arguments (an entry without `when` matches any
call, a default at the end). `canned_result` is the one place that reading happens.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from evaltui.errors import SuiteError
from evaltui.suites.models import Case, ModelSpec, ScorerSpec, Tool
from evaltui.suites.validation import Source, validate
from evaltui.suites.yamlnodes import FieldPath

NO_MATCH = object()  # canned_result: no `when` entry matches the call's arguments


def tools_from_yaml(data: dict[str, Any], source: Source, suite_dir: Path) -> list[Tool]:
    """`tools:` written inline, or read from the JSON file `tools_file:` names (not both)."""
    if "tools" in data and "tools_file" in data:
        raise source.error("write `tools:` or `tools_file:`, not both", ("tools_file",))
    from_file = "tools_file" in data
    path: FieldPath = ("tools_file",) if from_file else ("tools",)
    value = _read_tools_file(data["tools_file"], source, suite_dir) if from_file else data.get("tools")

    def where(index: int) -> FieldPath:
        return path if from_file else (*path, index)  # a file's entries have no line of their own

    if value is None:
        return []
    if not isinstance(value, list):
        raise source.error(
            "tools is a list of {type: function, function: {name, description, parameters}}", path
        )
    tools: list[Tool] = []
    seen: set[str] = set()
    for index, item in enumerate(value):
        tool = validate(Tool, item, source, where(index))
        name = tool.function.name
        if name in seen:
            raise source.error(f"the tool {name!r} is offered twice", (*where(index), "function", "name"))
        seen.add(name)
        parameters = tool.function.parameters
        _check_schema(parameters, source, (*where(index), "function", "parameters"))
        if parameters.get("type", "object") != "object":
            raise source.error(
                "a tool's parameters are an object schema (`type: object`)",
                (*where(index), "function", "parameters"),
            )
        tools.append(tool)
    return tools


def _read_tools_file(name: Any, source: Source, suite_dir: Path) -> Any:
    """The file's JSON: a list of tools, or {"tools": [...]}. Confined to the suite's folder."""
    path: FieldPath = ("tools_file",)
    if not isinstance(name, str) or not name.strip() or Path(name).is_absolute():
        raise source.error("tools_file is the path of a JSON file, relative to the suite's folder", path)
    target = (suite_dir / name).resolve()
    if not target.is_relative_to(suite_dir.resolve()):
        raise source.error(f"{name!r} leads outside the suite's folder", path)
    try:
        value = json.loads(target.read_text(encoding="utf-8"))
    except OSError as exc:
        raise source.error(f"cannot read {name!r}: {exc.strerror}", path) from None
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise source.error(f"{name!r} is not JSON: {exc}", path) from None
    if isinstance(value, dict) and "tools" in value:
        value = value["tools"]
    return value


def _check_schema(schema: dict[str, Any], source: Source, path: FieldPath) -> None:
    import jsonschema  # here, not at the top: it takes longer to import than the rest of a command

    try:
        jsonschema.validators.validator_for(schema).check_schema(schema)
    except jsonschema.SchemaError as exc:
        where = "".join(f"[{p!r}]" for p in exc.absolute_path)
        raise source.error(
            f"not a valid JSON schema{' at ' + where if where else ''}: {exc.message}", path
        ) from None
    if schema.get("type", "object") != "object":
        raise source.error("a tool's parameters are an object schema (`type: object`)", path)


def check_response_format(value: Any, source: Source, models: Sequence[ModelSpec] = ()) -> None:
    path: FieldPath = ("response_format",)
    if value is None:
        return
    if isinstance(value, dict) and value.get("type") != "json_schema":
        for model in models:
            if model.provider == "anthropic":  # providers/anthropic.py has no equivalent to send
                raise source.error(
                    f"model {model.id} (Anthropic) takes a response_format of type json_schema only; "
                    f"got {value.get('type')!r}",
                    path,
                )
    if not isinstance(value, dict) or value.get("type") not in ("json_object", "json_schema", "text"):
        raise source.error(
            "response_format is {type: json_schema, json_schema: {name, schema}} or {type: json_object}", path
        )
    if value["type"] == "json_schema":
        spec = value.get("json_schema")
        if not isinstance(spec, dict) or not isinstance(spec.get("schema"), dict):
            raise source.error(
                "a json_schema response_format needs `json_schema: {name, schema}`", (*path, "json_schema")
            )
        _check_schema(spec["schema"], source, (*path, "json_schema", "schema"))


def check_tool_results(case: Case, offered: set[str], source: Source, path: FieldPath) -> None:
    """Each key names an offered tool; each conditional list is well formed."""
    for name, value in case.tool_results.items():
        where = (*path, "tool_results", name)
        if name not in offered:
            known = ", ".join(sorted(offered)) or "none (the suite has no `tools:`)"
            raise source.error(
                f"a result for the tool {name!r}, which the suite does not offer; tools: {known}", where
            )
        if _is_conditional(value):
            for index, entry in enumerate(value):
                extra = set(entry) - {"when", "result"}
                if extra or "result" not in entry:
                    raise source.error(
                        "each entry is {when: {argument: value}, result: ...}", (*where, index)
                    )
                if "when" in entry and not isinstance(entry["when"], dict):
                    raise source.error(
                        "`when` is a mapping of argument names to values", (*where, index, "when")
                    )


def _is_conditional(value: Any) -> bool:
    """A list in which some entry is a mapping with `when`: the conditional form. Any other list is
    a plain JSON result."""
    return isinstance(value, list) and any(isinstance(e, dict) and "when" in e for e in value)


def canned_result(value: Any, arguments: Any) -> Any:
    """The result text for one call, or NO_MATCH when no `when` entry fits its arguments."""
    if _is_conditional(value):
        for entry in value:
            when = entry.get("when") if isinstance(entry, dict) else None
            if when is None or (
                isinstance(arguments, dict) and all(arguments.get(k) == v for k, v in when.items())
            ):
                return as_text(entry.get("result"))
        return NO_MATCH
    return as_text(value)


def as_text(value: Any) -> str:
    return value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)


def check_tool_scorers(specs: list[ScorerSpec], offered: set[str], tools_known: bool) -> None:
    """A tool scorer naming a tool the suite does not offer can never pass: say so now. Only when
    the suite offers tools: a python agent that runs its own tools declares none."""
    if not tools_known:
        return
    for spec in specs:
        options = spec.options()
        names = [options.get("tool")] if spec.type == "tool-call" else []
        if spec.type == "tool-sequence" and isinstance(options.get("tools"), list):
            names = options["tools"]
        # the key as the suite wrote it: a tool-call's `name:` is read as its `tool` (specs.py)
        key = "tools" if spec.type == "tool-sequence" else "tool"
        if spec.type == "tool-call" and spec.name == f"tool-call {options.get('tool')}":
            key = "name"
        for name in names:
            if isinstance(name, str) and name not in offered:
                loc = spec.loc
                raise SuiteError(
                    f"{spec.type} names the tool {name!r}, which the suite does not offer; "
                    f"tools: {', '.join(sorted(offered))}",
                    file=loc.file if loc else None,
                    line=loc.line if loc else None,
                    field=f"{loc.field}.{key}" if loc and loc.field else key,
                )
