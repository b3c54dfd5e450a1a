"""Where the CLI prints: standard output and standard error, each a Rich console made the first
time something is printed on it. Importing Rich is a good part of a command's start-up, and
`evaltui run` prints nothing before its first requests are out, so it loads Rich only then.

Neither console turns Rich's emoji codes into emoji: what evaltui prints of a user's text (a path, a
run reference, a suite's name) is that text, and a `:smile:` in it stays as typed. (Rich's table
of codes is then never loaded either.)"""

from __future__ import annotations

import functools
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from rich.console import Console


class Terminal:
    @functools.cached_property
    def out(self) -> Console:
        from rich.console import Console

        return Console(highlight=False, emoji=False)

    @functools.cached_property
    def err(self) -> Console:
        from rich.console import Console

        return Console(stderr=True, highlight=False, emoji=False)
