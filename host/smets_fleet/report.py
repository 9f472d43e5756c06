"""The end-of-run report: one JSON file and PNG plots (latency histogram and percentiles over time,
throughput, balances and debts across the fleet, alerts by code).

Input is a ``RunRecord`` of plain values, filled by whoever ran the fleet (run or soak); this
module only writes. Files are written atomically (temporary file, then rename), so a report that
exists is complete. Plots use matplotlib's Agg backend (no display needed).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from smets.wire import alert_codes
from smets_fleet.atomic import write_bytes
from smets_fleet.latency import LatencyRecorder

PLOTS = ("latency_histogram", "latency_percentiles", "throughput", "balances_debts", "alerts")


@dataclass
class RunRecord:
    summary: dict[str, Any] = field(default_factory=dict)
    latency: LatencyRecorder = field(default_factory=LatencyRecorder)
    balances: list[int] = field(default_factory=list)  # one per meter, pence
    debts: list[int] = field(default_factory=list)  # total of the debt registers per meter, pence
    alerts: dict[int, int] = field(default_factory=dict)  # alert code -> count
    errors: dict[str, int] = field(default_factory=dict)  # error kind -> count


def alert_name(code: int) -> str:
    name = alert_codes.name(code)
    return "0x%04X %s" % (code, name) if name else "0x%04X" % code


def _stats(values: list[int]) -> dict[str, Any]:
    if not values:
        return {"count": 0}
    s = sorted(values)
    return {
        "count": len(s),
        "min": s[0],
        "max": s[-1],
        "mean": sum(s) / len(s),
        "median": s[len(s) // 2],
    }


def report_data(rec: RunRecord) -> dict[str, Any]:
    return {
        "summary": rec.summary,
        "latency": rec.latency.all.summary(),
        "latency_over_time": rec.latency.series(),
        "balances_pence": _stats(rec.balances),
        "debts_pence": _stats(rec.debts),
        "alerts": {alert_name(c): n for c, n in sorted(rec.alerts.items())},
        "errors": dict(sorted(rec.errors.items())),
    }


def write_report(rec: RunRecord, out_dir: Path, plots: bool = True) -> list[Path]:
    """report.json and (with `plots`) one PNG per entry of PLOTS; returns the files written."""
    out_dir = Path(out_dir)
    written = []
    path = out_dir / "report.json"
    write_bytes(path, (json.dumps(report_data(rec), indent=2, sort_keys=True) + "\n").encode())
    written.append(path)
    if plots:
        written += _plots(rec, out_dir)
    return written


def _save(fig: Any, path: Path) -> Path:
    import io

    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=100, bbox_inches="tight")
    write_bytes(path, buf.getvalue())
    return path


def _plots(rec: RunRecord, out_dir: Path) -> list[Path]:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    out = []
    hist = rec.latency.all
    series = rec.latency.series()

    fig, ax = plt.subplots(figsize=(7, 4))
    if hist.total:
        from smets_fleet.latency import upper_edge

        xs = sorted(hist.counts)
        ax.bar([upper_edge(b) * 1000 for b in xs], [hist.counts[b] for b in xs], width=0.02, log=True)
        ax.set_xscale("log")
    ax.set_xlabel("round trip (ms)")
    ax.set_ylabel("commands")
    ax.set_title("Latency histogram")
    out.append(_save(fig, out_dir / "latency_histogram.png"))
    plt.close(fig)

    fig, ax = plt.subplots(figsize=(7, 4))
    for key, label in (("p50_s", "p50"), ("p99_s", "p99"), ("p99_9_s", "p99.9")):
        pts = [(r["t_s"], r[key]) for r in series if r[key] is not None]
        if pts:
            ax.plot([p[0] for p in pts], [float(p[1]) * 1000 for p in pts], label=label)  # type: ignore[arg-type]
    ax.set_xlabel("time (s)")
    ax.set_ylabel("round trip (ms)")
    ax.set_title("Latency percentiles over time")
    if series:
        ax.legend()
    out.append(_save(fig, out_dir / "latency_percentiles.png"))
    plt.close(fig)

    fig, ax = plt.subplots(figsize=(7, 4))
    interval = rec.latency.interval
    ax.plot([float(r["t_s"] or 0) for r in series], [int(r["count"] or 0) / interval for r in series])
    ax.set_xlabel("time (s)")
    ax.set_ylabel("commands/s")
    ax.set_title("Throughput")
    out.append(_save(fig, out_dir / "throughput.png"))
    plt.close(fig)

    fig, ax = plt.subplots(figsize=(7, 4))
    if rec.balances:
        ax.hist([b / 100 for b in rec.balances], bins=40, alpha=0.6, label="balance")
    if rec.debts:
        ax.hist([d / 100 for d in rec.debts], bins=40, alpha=0.6, label="debt")
    ax.set_xlabel("GBP")
    ax.set_ylabel("meters")
    ax.set_title("Balances and debts across the fleet")
    if rec.balances or rec.debts:
        ax.legend()
    out.append(_save(fig, out_dir / "balances_debts.png"))
    plt.close(fig)

    fig, ax = plt.subplots(figsize=(7, max(3, 0.3 * len(rec.alerts) + 1)))
    codes = sorted(rec.alerts)
    ax.barh([alert_name(c) for c in codes], [rec.alerts[c] for c in codes])
    ax.set_xlabel("alerts")
    ax.set_title("Alerts by code")
    out.append(_save(fig, out_dir / "alerts.png"))
    plt.close(fig)
    return out
