"""The Prometheus endpoint of a running fleet (`--metrics-port`).

Nothing is counted here: a collector asks a ``snapshot()`` callable for the current figures at
scrape time, so the fleet's hot path pays nothing for being observed. The snapshot is plain data::

    {
      "counters": {"frames_in": 12, ...},               # monotonic totals  -> smets_<name>_total
      "gauges": {"premises_up": 100, "sim_time_seconds": 8.1e8, ...},          -> smets_<name>
      "labelled": {"alerts": ("code", {"0x8F66": 3, ...}), ...},  # counters with one label
      "latency": Histogram or None,                      # round trips -> smets_round_trip_seconds
    }
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

from prometheus_client import start_http_server
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, SummaryMetricFamily
from prometheus_client.registry import Collector, CollectorRegistry

from smets_fleet.latency import Histogram

PREFIX = "smets_"
QUANTILES = (0.5, 0.99, 0.999)


class SnapshotCollector(Collector):
    def __init__(self, snapshot: Callable[[], dict[str, Any]]) -> None:
        self.snapshot = snapshot

    def collect(self) -> Iterator[Any]:
        snap = self.snapshot()
        for name, value in sorted(snap.get("counters", {}).items()):
            yield CounterMetricFamily(PREFIX + name, name.replace("_", " "), value=value)
        for name, value in sorted(snap.get("gauges", {}).items()):
            yield GaugeMetricFamily(PREFIX + name, name.replace("_", " "), value=value)
        for name, (label, values) in sorted(snap.get("labelled", {}).items()):
            fam = CounterMetricFamily(PREFIX + name, name.replace("_", " ") + " by " + label, labels=[label])
            for key, value in sorted(values.items()):
                fam.add_metric([str(key)], value)
            yield fam
        hist = snap.get("latency")
        if isinstance(hist, Histogram) and hist.total:
            yield SummaryMetricFamily(
                PREFIX + "round_trip_seconds",
                "command round trip",
                count_value=hist.total,
                sum_value=hist.sum,
            )
            q = GaugeMetricFamily(
                PREFIX + "round_trip_quantile_seconds", "round trip quantiles", labels=["q"]
            )
            for quantile in QUANTILES:
                v = hist.percentile(quantile * 100)
                if v is not None:
                    q.add_metric([str(quantile)], v)
            yield q


def registry_for(snapshot: Callable[[], dict[str, Any]]) -> CollectorRegistry:
    reg = CollectorRegistry(auto_describe=False)
    reg.register(SnapshotCollector(snapshot))
    return reg


def serve(port: int, snapshot: Callable[[], dict[str, Any]], addr: str = "127.0.0.1") -> Any:
    """Start the endpoint on a background thread; returns the server (call .shutdown() to stop)."""
    server, _thread = start_http_server(port, addr=addr, registry=registry_for(snapshot))
    return server
