"""Model providers behind one protocol (`base.Provider`): `make_provider(spec, http)` picks the
family from `spec.provider`. Remote families share one `HttpClient` per run (providers/http.py:
aiohttp's client, for direct and proxied hosts alike).

    async with HttpClient(max_connections=64) as http:
        provider = make_provider(spec, http)
        completion = await provider.complete(Request(messages=[...]))
"""

from __future__ import annotations

from evaltui.errors import ProviderError
from evaltui.providers.base import Completion, Provider, Request
from evaltui.providers.http import HttpClient
from evaltui.suites.models import ModelSpec

__all__ = ["Completion", "HttpClient", "Provider", "Request", "make_provider"]


def make_provider(spec: ModelSpec, http: HttpClient) -> Provider:
    """The provider for a spec. Python callables are imported here, so a wrong `module:function`
    fails before any case is asked."""
    if spec.provider == "openai":
        from evaltui.providers.openai import OpenAIProvider

        return OpenAIProvider(spec, http)
    if spec.provider == "anthropic":
        from evaltui.providers.anthropic import AnthropicProvider

        return AnthropicProvider(spec, http)
    if spec.provider == "ollama":
        from evaltui.providers.ollama import OllamaProvider

        return OllamaProvider(spec, http)
    if spec.provider == "python":
        from evaltui.providers.python import PythonProvider

        return PythonProvider(spec)
    if spec.provider == "demo":
        from evaltui.providers.demo import make_demo

        return make_demo(spec)
    if spec.provider == "recorded":
        from evaltui.providers.recorded import RecordedProvider

        return RecordedProvider(spec)
    raise ProviderError(f"unknown provider {spec.provider!r}")
