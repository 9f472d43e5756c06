"""The fleet's figures, kept in one place: a plain object of counters and gauges that the fleet
updates on its hot path (attribute increments only), and that the progress bar, the summary, the
Prometheus endpoint (smets_fleet.prom) and the run report read.

Counters (monotonic totals):

    frames_in        frames delivered to a CHF on its down topic (commands from the head end)
    frames_out       frames the fleet published on up topics (responses and alerts)
    responses_out    of frames_out, responses (CRA 2)
    alerts_out       of frames_out, alerts (CRA 3)
    commands         commands a device accepted (passed every gate: the response went out)
    refused          commands a device refused or discarded (any other gate)
    consumption_wh   energy fed to meters (electricity and gas, Wh)
    half_hours       meter half-hours fed (one per meter and half-hour)
    events           scheduler events run
    clock_syncs      device clocks the CHF corrected (daily re-sync)
    outages          ESME power outages simulated
    errors           frames that could not be handled or published (see error_kinds)
    checkpoints      checkpoints written
    monitor_alerts   alerts the in-process head-end monitor received and found authentic
    monitor_invalid  frames the monitor refused (bad MAC or signature, replayed counter, ...)

Gauges: premises_up (premises whose CHF is connected), premises (in this process), devices,
sim_time (core seconds; merged: the earliest of the processes, as far as all of them got),
clock_drift_max_s (largest device clock error corrected so far; merged: the largest).

Labelled: alerts by alert code (what the up-link monitor decoded), error_kinds by kind.

A worker sends ``as_dict()`` to the parent, which ``merge``s them; ``snapshot()`` gives the shape
smets_fleet.prom reads.
"""

from __future__ import annotations

import time
from typing import Any

COUNTERS = (
    "frames_in",
    "frames_out",
    "responses_out",
    "alerts_out",
    "commands",
    "refused",
    "consumption_wh",
    "half_hours",
    "events",
    "clock_syncs",
    "outages",
    "errors",
    "checkpoints",
    "monitor_alerts",
    "monitor_invalid",
)
GAUGES = ("premises_up", "premises", "devices", "sim_time", "clock_drift_max_s")
MIN_GAUGES = ("sim_time",)  # merged by min over the processes reporting one; by max below
MAX_GAUGES = ("clock_drift_max_s",)  # the others add up


class FleetMetrics:
    """Counters and gauges of one process (or, merged, of a whole run)."""

    def __init__(self) -> None:
        self.frames_in = 0
        self.frames_out = 0
        self.responses_out = 0
        self.alerts_out = 0
        self.commands = 0
        self.refused = 0
        self.consumption_wh = 0
        self.half_hours = 0
        self.events = 0
        self.clock_syncs = 0
        self.outages = 0
        self.errors = 0
        self.checkpoints = 0
        self.monitor_alerts = 0
        self.monitor_invalid = 0
        self.premises_up = 0
        self.premises = 0
        self.devices = 0
        self.sim_time = 0
        self.clock_drift_max_s = 0
        self.alerts: dict[int, int] = {}  # alert code -> count
        self.error_kinds: dict[str, int] = {}
        self.started = time.monotonic()
        self.sim_start = 0

    # -- updating (the fleet) ----------------------------------------------------------------------
    def error(self, kind: str) -> None:
        self.errors += 1
        self.error_kinds[kind] = self.error_kinds.get(kind, 0) + 1

    def alert(self, code: int) -> None:
        self.alerts[code] = self.alerts.get(code, 0) + 1

    # -- reading -----------------------------------------------------------------------------------
    def get(self, name: str) -> int:
        return int(getattr(self, name))

    def as_dict(self) -> dict[str, Any]:
        d: dict[str, Any] = {name: getattr(self, name) for name in COUNTERS + GAUGES}
        d["alerts"] = dict(self.alerts)
        d["error_kinds"] = dict(self.error_kinds)
        d["sim_start"] = self.sim_start
        return d

    def load(self, d: dict[str, Any]) -> None:
        """Take counters from as_dict() output (a resumed run continues its totals)."""
        for name in COUNTERS + MAX_GAUGES:
            setattr(self, name, int(d.get(name, 0)))
        self.alerts = {int(k): int(v) for k, v in d.get("alerts", {}).items()}
        self.error_kinds = {str(k): int(v) for k, v in d.get("error_kinds", {}).items()}

    @staticmethod
    def merged(parts: list[dict[str, Any]]) -> FleetMetrics:
        """One FleetMetrics summing the as_dict() of several processes."""
        m = FleetMetrics()
        starts = [p.get("sim_start", 0) for p in parts if p.get("sim_start")]
        m.sim_start = min(starts) if starts else 0
        times = [p["sim_time"] for p in parts if p.get("sim_time")]
        for p in parts:
            for name in COUNTERS + GAUGES:
                v = p.get(name, 0)
                if name in MIN_GAUGES:
                    continue
                if name in MAX_GAUGES:
                    setattr(m, name, max(getattr(m, name), v))
                else:
                    setattr(m, name, getattr(m, name) + v)
            for code, n in p.get("alerts", {}).items():
                m.alerts[code] = m.alerts.get(code, 0) + n
            for kind, n in p.get("error_kinds", {}).items():
                m.error_kinds[kind] = m.error_kinds.get(kind, 0) + n
        m.sim_time = min(times) if times else 0
        return m

    def snapshot(self) -> dict[str, Any]:
        """The figures in smets_fleet.prom's shape."""
        return {
            "counters": {name: getattr(self, name) for name in COUNTERS},
            "gauges": {name: getattr(self, name) for name in GAUGES},
            "labelled": {
                "alerts": ("code", {"0x%04X" % c: n for c, n in self.alerts.items()}),
                "error_kinds": ("kind", dict(self.error_kinds)),
            },
            "latency": None,
        }


class RateMeter:
    """Commands per second over a sliding window, from successive (time, count) readings."""

    def __init__(self, window: float = 5.0) -> None:
        self.window = window
        self._points: list[tuple[float, int]] = []

    def update(self, now: float, count: int) -> float:
        pts = self._points
        pts.append((now, count))
        while len(pts) > 2 and now - pts[0][0] > self.window:
            pts.pop(0)
        t0, c0 = pts[0]
        return (count - c0) / (now - t0) if now > t0 else 0.0
