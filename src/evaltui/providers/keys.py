"""Keys are checked before any request: a model that reads its API key from an environment variable
that is not set would otherwise be asked without one, case after case, each answered 401. The CLI
(`evaltui run`, before a run is created) and the TUI's Launch dialog both call `check_keys`."""

from __future__ import annotations

from collections.abc import Iterable

from evaltui.errors import ProviderError
from evaltui.providers.remote import api_key
from evaltui.suites.models import ModelSpec

KEYLESS = frozenset({"demo", "python"})  # offline models; a python component reads its own key


def missing_key(spec: ModelSpec) -> str | None:
    """The variable this model reads its key from, when it is not set (or empty); else None. Which
    variable is providers/remote.py's `api_key`: `api_key_env`, or the hosted API's default one
    (OPENAI_API_KEY, ANTHROPIC_API_KEY) when there is no `base_url`."""
    if spec.provider in KEYLESS:
        return None
    variable, value = api_key(spec)
    return variable if variable and not value else None


def check_keys(models: Iterable[ModelSpec]) -> None:
    """Raises ProviderError (exit 2 in the CLI) naming every model whose key variable is not set."""
    missing = [(spec, variable) for spec in models if (variable := missing_key(spec))]
    if not missing:
        return
    named = "; ".join(f"{spec.id} reads its API key from {variable}" for spec, variable in missing)
    variables = sorted({variable for _, variable in missing})
    hint = "set it in the environment"
    if any(spec.api_key_env for spec, _ in missing):
        hint += " (a server that needs no key needs no api_key_env)"
    raise ProviderError(
        f"{', '.join(variables)} {'is' if len(variables) == 1 else 'are'} not set: {named}; {hint}"
    )
