"""An imported suite written as evaltui YAML, with comments saying where each part came from: the
source at the top with the importer's notes, a line before each top-level key, and before every
case the file and line it was read from. The file loads back (`load_suite`) as the same suite."""

from __future__ import annotations

from typing import Any

import yaml

from evaltui.suites.importers.base import Imported
from evaltui.suites.models import Case, ModelSpec, ScorerSpec
from evaltui.version import __version__


class _Dumper(yaml.SafeDumper):
    """Multi-line text as `|` blocks, so prompts read as they were written."""


def _text(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    style = "|" if "\n" in value and not value.endswith((" ", "\t")) else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_Dumper.add_representer(str, _text)


def _dump(value: Any) -> str:
    return yaml.dump(value, Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=100)


def _scorer(spec: ScorerSpec) -> Any:
    data = spec.model_dump(exclude_defaults=True, exclude={"negate"})
    return {"not": data} if spec.negate else data


def _model(spec: ModelSpec) -> Any:
    data = spec.model_dump(exclude_defaults=True, exclude={"id"})
    if spec.id != ModelSpec(provider=spec.provider, model=spec.model).id:
        data = {"id": spec.id, **data}
    return data


def _case(case: Case) -> dict[str, Any]:
    data = case.model_dump(exclude_defaults=True, exclude={"scorers", "recorded"})
    if "input" not in data:  # every case of a suite file has one, empty or not
        data = {**({"id": data.pop("id")} if "id" in data else {}), "input": case.input, **data}
    if case.recorded is not None:  # written on the case, as a user writes a recorded answer
        data.update(case.recorded.model_dump(exclude_none=True))
    if case.scorers is not None:
        data["scorers"] = [_scorer(s) for s in case.scorers]
    return data


def _comment(text: str, indent: str = "") -> str:
    return "".join(f"{indent}# {line}\n" for line in text.splitlines())


def suite_yaml(imported: Imported) -> str:
    """The whole YAML text of an imported suite."""
    suite, origins = imported.suite, dict(imported.origins)
    head = (
        f"Imported by evaltui {__version__} from {imported.source}.\nEdit freely: this file is the suite now."
    )
    parts = [_comment(head)]
    if imported.notes:
        parts.append(_comment("Notes:\n" + "\n".join(f"- {note}" for note in imported.notes)))
    fields: dict[str, Any] = {"name": suite.name}
    if suite.description:
        fields["description"] = suite.description
    if suite.prompts:
        fields["prompts"] = [v.model_dump(exclude_none=True) for v in suite.prompts]
    elif suite.messages is not None:
        fields["messages"] = [m.model_dump() for m in suite.messages]
    else:
        fields["prompt"] = suite.prompt
    if suite.models:
        fields["models"] = [_model(m) for m in suite.models]
    if suite.scorers:
        fields["scorers"] = [_scorer(s) for s in suite.scorers]
    for key, value in fields.items():
        parts.append("\n" + (_comment(origins[key]) if key in origins else "") + _dump({key: value}))
    parts.append("\n" + (_comment(origins["cases"]) if "cases" in origins else "") + "cases:\n")
    for case in suite.cases:
        where = f"{case.loc.file}:{case.loc.line}" if case.loc and case.loc.line else None
        item = _dump([_case(case)])
        parts.append(
            (_comment(f"from {where}", "  ") if where else "")
            + "".join(f"  {ln}\n" for ln in item.splitlines())
        )
    return "".join(parts)
