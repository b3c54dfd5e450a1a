"""evaltui's own pydantic models are built without pydantic's plugins.

pydantic looks for plugins (distributions' `pydantic` entry points, such as logfire's) the first
time it builds a validator: a walk of every installed distribution's metadata, paid by every
start-up although evaltui's models need no plugin. pydantic reads `PYDANTIC_DISABLE_PLUGINS` at
each validator it builds and keeps what it found only once it has looked; so while evaltui builds
its own validators the variable says `__all__`, and afterwards it is as it was: a user's Python
component (a provider, a scorer) that builds models of its own later still gets the plugins
installed, looked for then.

A variable of the process's environment, so a thread building a model of its own at that very
moment goes without plugins too: only evaltui's model builds are inside, never user code (a
scorer's options are validated, which may import the user's module, after its model is built).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager

VARIABLE = "PYDANTIC_DISABLE_PLUGINS"


@contextmanager
def plugins_off() -> Iterator[None]:
    """Within: validators pydantic builds use no plugin. A value the user set stands, unchanged."""
    if VARIABLE in os.environ:
        yield
        return
    os.environ[VARIABLE] = "__all__"
    try:
        yield
    finally:
        os.environ.pop(VARIABLE, None)
