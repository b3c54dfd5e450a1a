"""What a screen asks the app to do. Below the screens and `live.py`, so the Suites and Launch
screens can build a request without importing the module that carries it out (which the app owns)."""

from __future__ import annotations

from dataclasses import dataclass, field

from evaltui.engine import RunOptions
from evaltui.suites.models import ModelSpec, Suite


@dataclass(frozen=True)
class LaunchRequest:
    """What the Launch screen asks for: a suite, the models to run it on, and the options."""

    suite: Suite
    models: list[ModelSpec]
    options: RunOptions = field(default_factory=RunOptions)
