"""A minimal head end for a run with no head end of its own: subscribed to every up topic of the
fleet, it checks each frame the way the head end does (smets_fleet.headend: the device's signature
or MAC, an alert counter above the last one seen) and counts authentic alerts and refused frames
into the fleet's metrics. It sends nothing.

Used by ``smets-fleet run`` on the in-process transport, where nobody else listens.
"""

from __future__ import annotations

from typing import Any

from smets import topics
from smets_fleet.metrics import FleetMetrics
from smets_fleet.transport import Link, Transport


class UpMonitor:
    def __init__(
        self, provider: Any, seed: str, metrics: FleetMetrics, fleet: str = topics.DEFAULT_FLEET
    ) -> None:
        from smets_fleet.headend import Alert, HeadEnd, Invalid

        self._alert = Alert
        self._invalid = Invalid
        self.head_end = HeadEnd.for_seed(provider, seed)
        self.metrics = metrics
        self.fleet = fleet
        self.link: Link | None = None
        self.reasons: dict[str, int] = {}

    async def connect(self, transport: Transport) -> None:
        self.link = await transport.connect("head-end-monitor", [topics.up_wildcard(self.fleet)], self.on_up)

    def on_up(self, topic: str, payload: bytes) -> None:
        try:
            result = self.head_end.receive(payload)
        except Exception as exc:  # the head end should not raise; count it if it does
            self.metrics.monitor_invalid += 1
            self.metrics.error("monitor: %s" % type(exc).__name__)
            return
        if isinstance(result, self._alert):
            self.metrics.monitor_alerts += 1
        elif isinstance(result, self._invalid):
            self.metrics.monitor_invalid += 1
            self.reasons[result.reason] = self.reasons.get(result.reason, 0) + 1

    async def close(self) -> None:
        if self.link is not None:
            await self.link.close()
            self.link = None


def make_monitor(provider: Any, seed: str, metrics: FleetMetrics, fleet: str) -> UpMonitor | None:
    """An UpMonitor, or None while the head end module is not there."""
    try:
        return UpMonitor(provider, seed, metrics, fleet)
    except ImportError:
        return None
