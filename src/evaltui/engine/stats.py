"""Live counters of a running run, updated as results are committed and read by displays
on a timer (coalesced): a snapshot is cheap and safe to take from any thread."""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from typing import Any

from evaltui.analysis.metrics import fresh_latency
from evaltui.analysis.stats import spread as latency_spread


@dataclass(frozen=True, slots=True)
class LiveStats:
    total: int = 0
    done: int = 0
    passed: int = 0
    failed: int = 0
    errors: int = 0
    cached: int = 0
    tokens_in: int = 0
    tokens_out: int = 0
    cost_usd: float | None = None  # None while no cost is known
    p50_ms: float | None = None
    p95_ms: float | None = None
    rate: float = 0.0  # results per second in this session
    eta_s: float | None = None
    elapsed_s: float = 0.0

    @property
    def pass_rate(self) -> float | None:
        scored = self.passed + self.failed
        return self.passed / scored if scored else None


class StatsTracker:
    def __init__(self, total: int, already: dict[str, int] | None = None) -> None:
        self._lock = threading.Lock()
        self._total = total
        self._counts = {"done": 0, "passed": 0, "failed": 0, "errors": 0, "cached": 0}
        for key, value in (already or {}).items():
            self._counts[key] = value
        self._session_done = 0
        self._tokens_in = 0
        self._tokens_out = 0
        self._cost: float | None = None
        self._latencies: list[float] = []
        self._started = time.monotonic()

    def add(self, rows: list[dict[str, Any]]) -> None:
        with self._lock:
            for row in rows:
                self._counts["done"] += 1
                self._session_done += 1
                key = {"pass": "passed", "fail": "failed"}.get(row["status"], "errors")
                self._counts[key] += 1
                self._counts["cached"] += bool(row.get("cached"))
                self._tokens_in += row.get("tokens_in") or 0
                self._tokens_out += row.get("tokens_out") or 0
                if row.get("cost_usd") is not None:
                    self._cost = (self._cost or 0.0) + row["cost_usd"]
                latency = fresh_latency(row)
                if latency is not None:
                    self._latencies.append(latency)

    def snapshot(self) -> LiveStats:
        with self._lock:
            latencies = list(self._latencies)
            counts = dict(self._counts)
            session_done = self._session_done
            tokens = (self._tokens_in, self._tokens_out)
            cost = self._cost
        spread = latency_spread(latencies)
        elapsed = time.monotonic() - self._started
        rate = session_done / elapsed if elapsed > 0 else 0.0
        left = max(self._total - counts["done"], 0)
        return LiveStats(
            total=self._total,
            done=counts["done"],
            passed=counts["passed"],
            failed=counts["failed"],
            errors=counts["errors"],
            cached=counts["cached"],
            tokens_in=tokens[0],
            tokens_out=tokens[1],
            cost_usd=cost,
            p50_ms=spread.p50,
            p95_ms=spread.p95,
            rate=rate,
            eta_s=left / rate if rate > 0 else None,
            elapsed_s=elapsed,
        )
