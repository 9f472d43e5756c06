"""Latency histograms and the end-of-run report: percentiles against an exact nearest-rank
calculation on the raw samples, and the report's JSON and PNG files."""

import json
import math
import random

from hypothesis import given, settings
from hypothesis import strategies as st

from smets_fleet.latency import GROWTH, Histogram, LatencyRecorder
from smets_fleet.report import PLOTS, RunRecord, write_report


def nearest_rank(samples, p):
    s = sorted(samples)
    return s[max(1, math.ceil(len(s) * p / 100.0)) - 1]


@settings(max_examples=200, deadline=None)
@given(
    st.lists(st.floats(min_value=2e-6, max_value=5.0, allow_nan=False), min_size=1, max_size=400),
    st.sampled_from([0.1, 1, 50, 90, 99, 99.9, 100]),
)
def test_percentile_is_never_under_and_at_most_one_bucket_over(samples, p):
    h = Histogram()
    for s in samples:
        h.add(s)
    exact = nearest_rank(samples, p)
    got = h.percentile(p)
    assert got >= exact * (1 - 1e-9)
    assert got <= exact * GROWTH * (1 + 1e-9)
    assert h.total == len(samples)
    assert math.isclose(h.mean(), sum(samples) / len(samples))


def test_merge_equals_one_histogram_of_everything_and_state_round_trips():
    rng = random.Random(7)
    a, b, both = Histogram(), Histogram(), Histogram()
    for i in range(1000):
        v = rng.lognormvariate(-6, 1)
        (a if i % 3 else b).add(v)
        both.add(v)
    a.merge(b)
    assert a.counts == both.counts and a.total == both.total and a.max == both.max
    back = Histogram.from_state(json.loads(json.dumps(a.to_state())))
    assert back.counts == a.counts and back.percentile(99) == a.percentile(99)


def test_series_splits_by_interval():
    rec = LatencyRecorder(interval=1.0, start=100.0)
    for i in range(10):
        rec.add(100.0 + i * 0.25, 0.001 * (1 + i))  # 4 per second over 2.5 s
    rows = rec.series()
    assert [r["t_s"] for r in rows] == [0.0, 1.0, 2.0]
    assert [r["count"] for r in rows] == [4, 4, 2]
    assert rows[2]["p50_s"] >= 0.009 and rows[2]["p50_s"] <= 0.009 * GROWTH


def test_report_writes_json_and_every_plot(tmp_path):
    rec = RunRecord(summary={"premises": 3})
    for i in range(50):
        rec.latency.add(i * 0.1, 0.002 + 0.0001 * i)
    rec.balances = [1000, 2500, -300]
    rec.debts = [0, 500, 120]
    rec.alerts = {0x8F66: 2, 0x810D: 5}
    files = write_report(rec, tmp_path)
    names = {f.name for f in files}
    assert "report.json" in names
    for p in PLOTS:
        png = tmp_path / (p + ".png")
        assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n", p
    data = json.loads((tmp_path / "report.json").read_text())
    assert data["summary"] == {"premises": 3}
    assert data["latency"]["count"] == 50
    assert data["balances_pence"]["min"] == -300 and data["balances_pence"]["max"] == 2500
    assert data["debts_pence"]["mean"] == (0 + 500 + 120) / 3
    assert sum(data["alerts"].values()) == 7
    assert any(k.startswith("0x8F66") for k in data["alerts"])
    assert not list(tmp_path.glob(".*"))  # no temporary files left behind
