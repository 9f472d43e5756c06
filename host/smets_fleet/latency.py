"""Round-trip latencies without keeping every sample: a log-bucketed histogram (HdrHistogram's idea)
for the whole run and one per time interval, so percentiles over time cost O(buckets), not O(samples).

Buckets grow by ``GROWTH`` (1 %), from ``LOWEST`` (1 us) up; a percentile is reported as the upper
edge of the bucket it falls in, so it is never under-stated and at most 1 % over.
"""

from __future__ import annotations

import math

LOWEST = 1e-6  # seconds
GROWTH = 1.01
_LOG_GROWTH = math.log(GROWTH)


def bucket_of(seconds: float) -> int:
    if seconds <= LOWEST:
        return 0
    return int(math.log(seconds / LOWEST) / _LOG_GROWTH) + 1


def upper_edge(bucket: int) -> float:
    return LOWEST * GROWTH**bucket


class Histogram:
    __slots__ = ("counts", "total", "sum", "max")

    def __init__(self) -> None:
        self.counts: dict[int, int] = {}
        self.total = 0
        self.sum = 0.0
        self.max = 0.0

    def add(self, seconds: float) -> None:
        b = bucket_of(seconds)
        self.counts[b] = self.counts.get(b, 0) + 1
        self.total += 1
        self.sum += seconds
        if seconds > self.max:
            self.max = seconds

    def merge(self, other: Histogram) -> None:
        for b, n in other.counts.items():
            self.counts[b] = self.counts.get(b, 0) + n
        self.total += other.total
        self.sum += other.sum
        self.max = max(self.max, other.max)

    def percentile(self, p: float) -> float | None:
        """The latency at or below which `p` percent of samples fall (None when empty)."""
        if not self.total:
            return None
        rank = max(1, math.ceil(self.total * p / 100.0))
        seen = 0
        for b in sorted(self.counts):
            seen += self.counts[b]
            if seen >= rank:
                return min(upper_edge(b), self.max)
        return self.max

    def mean(self) -> float | None:
        return self.sum / self.total if self.total else None

    def summary(self) -> dict[str, float | int | None]:
        return {
            "count": self.total,
            "mean_s": self.mean(),
            "p50_s": self.percentile(50),
            "p99_s": self.percentile(99),
            "p99_9_s": self.percentile(99.9),
            "max_s": self.max if self.total else None,
        }

    def to_state(self) -> dict[str, object]:
        return {"counts": dict(self.counts), "total": self.total, "sum": self.sum, "max": self.max}

    @classmethod
    def from_state(cls, state: dict) -> Histogram:
        h = cls()
        h.counts = {int(k): int(v) for k, v in state["counts"].items()}
        h.total = int(state["total"])
        h.sum = float(state["sum"])
        h.max = float(state["max"])
        return h


class LatencyRecorder:
    """The whole run's histogram plus one per `interval` seconds of wall time (for plots)."""

    def __init__(self, interval: float = 1.0, start: float = 0.0) -> None:
        self.interval = interval
        self.start = start
        self.all = Histogram()
        self.by_interval: dict[int, Histogram] = {}

    def add(self, at: float, seconds: float) -> None:
        self.all.add(seconds)
        i = int((at - self.start) // self.interval)
        h = self.by_interval.get(i)
        if h is None:
            h = self.by_interval[i] = Histogram()
        h.add(seconds)

    def series(self, percentiles: tuple[float, ...] = (50, 99, 99.9)) -> list[dict[str, float | int | None]]:
        """Per interval: its start (seconds from `start`), count, and the percentiles asked."""
        out: list[dict[str, float | int | None]] = []
        for i in sorted(self.by_interval):
            h = self.by_interval[i]
            row: dict[str, float | int | None] = {"t_s": i * self.interval, "count": h.total}
            for p in percentiles:
                row["p%s_s" % str(p).replace(".", "_")] = h.percentile(p)
            out.append(row)
        return out
