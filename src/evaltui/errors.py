"""The one error hierarchy. Deep code raises these with a message a user can act on;
the CLI maps them to exit codes in one place, the TUI to notifications."""

from __future__ import annotations

from typing import Any


class EvaltuiError(Exception):
    """Base of every error evaltui raises on purpose."""


class SuiteError(EvaltuiError):
    """A suite, case file or scorer option is wrong. Always names where."""

    def __init__(
        self, message: str, *, file: str | None = None, line: int | None = None, field: str | None = None
    ) -> None:
        self.message = message
        self.file = file
        self.line = line
        self.field = field
        super().__init__(str(self))

    def __str__(self) -> str:
        if self.file is None and self.line is None and not self.field:
            return self.message  # typed, not read from a file (a -m spec): the message names it
        where = self.file or "<suite>"
        if self.line is not None:
            where += f":{self.line}"
        if self.field:
            where += f": {self.field}"
        return f"{where}: {self.message}"


class ProviderError(EvaltuiError):
    """A model could not be asked. `retryable` tells the engine whether another attempt may help;
    `retry_after` (seconds) is the server's own hint from a Retry-After header.

    `kind` says what failed when the engine must act on more than this one case:
    `"unreachable"` (connection refused, DNS or TLS failure: the endpoint cannot be reached at all),
    `"auth"` (401/403: every request will fail the same way); None for anything else.
    `endpoint` names where it failed as `host:port`, for the message that stops a run.
    `rate_limits` is what the server's rate-limit headers said (providers/ratelimits.py)."""

    def __init__(
        self,
        message: str,
        *,
        retryable: bool = False,
        status: int | None = None,
        retry_after: float | None = None,
        kind: str | None = None,
        endpoint: str | None = None,
        rate_limits: Any = None,
    ) -> None:
        self.message = message
        self.rate_limits = rate_limits
        self.retryable = retryable
        self.status = status
        self.retry_after = retry_after
        self.kind = kind
        self.endpoint = endpoint
        super().__init__(message)


class RunStopped(EvaltuiError):
    """A run cannot succeed (its endpoint cannot be reached, or refuses the key): the engine stops
    it, `failed`, its unasked cases left for `--resume`. The message names the endpoint and why."""


class StoreError(EvaltuiError):
    """The results database cannot be opened, migrated or written."""


class GateError(EvaltuiError):
    """A CI gate failed (pass rate under the bar, too many regressions). Exit code 1."""


class ScorerError(EvaltuiError):
    """A scorer could not judge the output (its sandbox is missing or did not start, user code
    raised or hung, a pattern ran too long): the case is an `error` with this reason, never a
    model `fail`."""
