"""Fixtures for the sample-suite tests: the shipped suites, and a way to ask a demo model."""

from __future__ import annotations

from pathlib import Path

from evaltui.providers.base import Completion, Request
from evaltui.providers.demo import make_demo
from evaltui.suites.models import ModelSpec

SAMPLE_DIR = Path(__file__).resolve().parents[2] / "sample_suites"
SAMPLE_SUITES = sorted(SAMPLE_DIR.glob("*.yaml"))


def demo_spec(name: str, **params: object) -> ModelSpec:
    return ModelSpec(provider="demo", model=name, params={"latency_ms": 0, **params})


async def ask(
    name: str, messages: list[dict[str, str]], *, case_id: str = "", **params: object
) -> Completion:
    provider = make_demo(demo_spec(name, **params))
    try:
        return await provider.complete(Request(messages=messages, case_id=case_id))
    finally:
        await provider.aclose()


def user(text: str) -> list[dict[str, str]]:
    return [{"role": "user", "content": text}]
