"""evaltui's own pydantic models are built without pydantic's plugins.

pydantic looks for plugins (distributions' `pydantic` entry points, such as logfire's) the first
time it builds a validator: a walk of every installed distribution's metadata, paid by every
start-up although evaltui's models need no plugin. pydantic reads `PYDANTIC_DISABLE_PLUGINS` at
each validator it builds and keeps what it found only once it has looked; so while evaltui builds
its own validators the variable says `__all__`, and afterwards it is as it was: a user's Python
component (a provider, a scorer) that builds models of its own later still gets the plugins
installed, looked for then.

pydantic also imports its plugin loader at each validator it builds, even told to use no plugin,
and that module imports `importlib.metadata` (with email, zipfile, csv...), which nothing else a
run needs: while evaltui builds its own validators, a stand-in that finds no plugin is in the
loader's place in `sys.modules`, unless the real one is already imported. It hands any other name
pydantic asks of it over to the real loader.

A variable of the process's environment, so a thread building a model of its own at that very
moment goes without plugins too: only evaltui's model builds are inside, never user code (a
scorer's options are validated, which may import the user's module, after its model is built).
"""

from __future__ import annotations

import importlib
import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from types import ModuleType
from typing import Any

VARIABLE = "PYDANTIC_DISABLE_PLUGINS"
LOADER = "pydantic.plugin._loader"


def _get_plugins() -> tuple[()]:
    return ()  # what the real loader gives with VARIABLE `__all__`


def _real_loader(name: str) -> Any:
    """Any other name asked of the stand-in: the real loader's, imported in its place."""
    if name.startswith("__"):  # the import system asking what kind of module it is
        raise AttributeError(name)
    if not isinstance(sys.modules.get(LOADER), _StandIn):
        return getattr(sys.modules[LOADER], name)
    del sys.modules[LOADER]
    return getattr(importlib.import_module(LOADER), name)


class _StandIn(ModuleType):
    pass


def _stand_in() -> ModuleType:
    module = _StandIn(LOADER)
    module.get_plugins = _get_plugins  # type: ignore[attr-defined]
    module.__getattr__ = _real_loader  # type: ignore[method-assign]
    return module


@contextmanager
def plugins_off() -> Iterator[None]:
    """Within: validators pydantic builds use no plugin. A value the user set stands, unchanged."""
    if VARIABLE in os.environ:
        yield
        return
    os.environ[VARIABLE] = "__all__"
    stand_in = None
    if LOADER not in sys.modules:
        stand_in = sys.modules[LOADER] = _stand_in()
    try:
        yield
    finally:
        os.environ.pop(VARIABLE, None)
        if stand_in is not None and sys.modules.get(LOADER) is stand_in:
            del sys.modules[LOADER]
