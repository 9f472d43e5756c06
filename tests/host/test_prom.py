"""The Prometheus endpoint: a real HTTP scrape of a snapshot, parsed with prometheus_client's own
text parser (an independent reader of the exposition format)."""

import socket
import urllib.request

from prometheus_client.parser import text_string_to_metric_families

from smets_fleet.latency import Histogram
from smets_fleet.prom import serve


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_scrape_reports_the_snapshot_at_scrape_time():
    state = {"frames_in": 5}
    hist = Histogram()
    for ms in (1, 2, 3, 4, 100):
        hist.add(ms / 1000)

    def snapshot():
        return {
            "counters": {"frames_in": state["frames_in"]},
            "gauges": {"premises_up": 42},
            "labelled": {"alerts": ("code", {"0x8F66": 3, "0x810D": 1})},
            "latency": hist,
        }

    port = free_port()
    server = serve(port, snapshot)
    try:
        state["frames_in"] = 9  # read at scrape time, not at start
        text = urllib.request.urlopen("http://127.0.0.1:%d/metrics" % port, timeout=5).read().decode()
    finally:
        server.shutdown()
    samples = {}
    for fam in text_string_to_metric_families(text):
        for s in fam.samples:
            samples[(s.name, tuple(sorted(s.labels.items())))] = s.value
    assert samples[("smets_frames_in_total", ())] == 9
    assert samples[("smets_premises_up", ())] == 42
    assert samples[("smets_alerts_total", (("code", "0x8F66"),))] == 3
    assert samples[("smets_round_trip_seconds_count", ())] == 5
    assert abs(samples[("smets_round_trip_seconds_sum", ())] - 0.110) < 1e-9
    p50 = samples[("smets_round_trip_quantile_seconds", (("q", "0.5"),))]
    assert 0.003 <= p50 <= 0.003 * 1.01
