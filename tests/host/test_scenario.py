"""Soak scenario files: the documented example loads with the values it states; every kind of bad
file gives one ScenarioError line naming the field."""

from pathlib import Path

import pytest

from smets_fleet.scenario import ScenarioError, duration_seconds, load, parse

EXAMPLE = Path(__file__).resolve().parents[2] / "docs" / "soak-example.toml"
KNOWN = (
    "top-up",
    "read-balance",
    "payment-mode",
    "set-tariff",
    "prepay-config",
    "update-debt",
    "adjust-balance",
)


def test_the_documented_example_loads():
    s = load(EXAMPLE, KNOWN)
    assert (s.premises, s.first, s.meters, s.seed) == (20, 0, ("esme", "gsme"), "smets-fleet")
    assert (s.duration, s.rate, s.timeout, s.retries, s.concurrency) == (30.0, 50.0, 5.0, 2, 1000)
    assert [(m.sr, m.weight, m.device) for m in s.mix] == [
        ("top-up", 2.0, "esme"),
        ("read-balance", 8.0, None),
    ]
    assert s.mix[0].params == {"amount": 1000}
    assert (s.speed, s.start) == ("x3600", "2025-01-06T06:15:00Z")
    assert [(e.sr, e.device) for e in s.setup][:2] == [("payment-mode", None), ("set-tariff", "esme")]
    assert list(s.premises_numbers()) == list(range(20))


@pytest.mark.parametrize(
    "text, seconds",
    [(90, 90.0), (1.5, 1.5), ("90s", 90.0), ("10m", 600.0), ("2h", 7200.0), ("1d", 86400.0), ("45", 45.0)],
)
def test_durations(text, seconds):
    assert duration_seconds(text, "d") == seconds


@pytest.mark.parametrize(
    "data, field",
    [
        ({"mix": []}, "[[mix]]"),
        ({"mix": [{"weight": 1}]}, "mix[0].sr"),
        ({"mix": [{"sr": "warp-drive"}]}, "mix[0].sr: unknown service request"),
        ({"mix": [{"sr": "top-up", "weight": "lots"}]}, "mix[0].weight"),
        ({"mix": [{"sr": "top-up", "weight": 0}]}, "add up to zero"),
        ({"mix": [{"sr": "top-up", "device": "gsme"}], "fleet": {"meters": ["esme"]}}, "mix[0].device"),
        ({"mix": [{"sr": "top-up"}], "fleet": {"meters": ["toaster"]}}, "fleet.meters"),
        ({"mix": [{"sr": "top-up"}], "fleet": {"premises": 0}}, "fleet.premises"),
        ({"mix": [{"sr": "top-up"}], "fleet": {"premises": 2.5}}, "fleet.premises"),
        ({"mix": [{"sr": "top-up"}], "soak": {"duration": "soon"}}, "soak.duration"),
        ({"mix": [{"sr": "top-up"}], "soak": {"rate": -1}}, "soak.rate"),
        ({"mix": [{"sr": "top-up"}], "soak": {"retries": True}}, "soak.retries"),
        ({"mix": [{"sr": "top-up"}], "bogus": {}}, "unknown section [bogus]"),
    ],
)
def test_bad_scenarios_name_the_field(data, field):
    with pytest.raises(ScenarioError) as e:
        parse(data, KNOWN)
    assert field in str(e.value)
    assert "\n" not in str(e.value)


def test_unreadable_and_invalid_files(tmp_path):
    with pytest.raises(ScenarioError, match="cannot read"):
        load(tmp_path / "missing.toml", KNOWN)
    bad = tmp_path / "bad.toml"
    bad.write_text("[fleet\npremises = 3\n")
    with pytest.raises(ScenarioError, match="not valid TOML"):
        load(bad, KNOWN)
    binary = tmp_path / "bin.toml"
    binary.write_bytes(b"\xff\xfe\x00")
    with pytest.raises(ScenarioError, match="bin.toml"):
        load(binary, KNOWN)
