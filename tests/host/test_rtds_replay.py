"""`smets-fleet rtds`: every RTDS 4.5.0 command replayed against emulated devices.

For every implemented use case, every variant (SUCCESS, IMMEDIATE, FUTURE_DATED, CANCELLATION and
the ERROR ones, with the device put in the failing state RTDS shows) is accepted and answered
exactly as RTDS answers: byte for byte where RTDS's frame carries only a MAC (the device's key
agreement equals RTDS's), every field but the signature where it is signed (the device signs with
its own DS key, and the signature is checked against the public key the replay writes out).
"""

from __future__ import annotations

import binascii
import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from smets.security import protect
from smets.security.keys import public_point
from smets.wire import frame as wire
from smets_fleet import rtds
from smets_fleet.cli import cli
from smets_fleet.crypto_host import HostCrypto
from smets_fleet.keystore import load_keystore
from support import rtds_dir

_ROOT = rtds_dir()
pytestmark = pytest.mark.skipif(_ROOT is None, reason="RTDS 4.5.0 vectors not found: set SMETS_RTDS_DIR")
RTDS = Path(_ROOT or ".")

# Use cases the devices implement, each with at least one RTDS SUCCESS variant that must pass.
EXPECTED = (
    "CS01a ECS01a ECS01b ECS01c ECS02 ECS03 ECS04a ECS04b ECS05 ECS07 ECS08 ECS08a ECS09 ECS15a "
    "ECS17a ECS17b ECS17c ECS17d ECS17e ECS18a ECS18b ECS19 ECS20a ECS20b ECS20c ECS21a ECS21b "
    "ECS21c ECS22a ECS22b ECS22c ECS23 ECS23b ECS24 ECS24b ECS26a ECS26b ECS26c ECS26d ECS26e "
    "ECS26f ECS26j ECS26k ECS26l ECS26m ECS27 ECS35a ECS35b ECS35e ECS35f ECS40 ECS42 ECS43 ECS44 "
    "ECS45 ECS52 ECS66 ECS70 ECS82 CCS01 CCS02 CCS03 CCS04 CCS06 CCS07 ECS26i ECS26n ECS35c "
    "CS01b GCS01a GCS01b GCS02 GCS03 GCS04 GCS05 GCS13a GCS13b GCS13c GCS14 GCS21a GCS21e GCS21j "
    "GCS21m GCS40a GCS40b GCS40d GCS46 GCS60a CS06 ECS35g GCS32 CS11 GCS15d GCS15e CS10a CS10b "
    "GCS17 GCS61 GCS21d GCS21k GCS25 GCS25a GCS28"
).split()


@pytest.fixture(scope="module")
def replay(tmp_path_factory):
    out = tmp_path_factory.mktemp("rtds-out")
    ring = load_keystore(RTDS / "keystore")
    summary = rtds.run(RTDS, out, ring, HostCrypto())
    return out, summary


def test_every_implemented_variant_is_accepted_and_matches(replay):
    _out, summary = replay
    bad = [e for e in summary["entries"] if e.get("implemented") and not rtds.passed(e)]
    assert bad == [], json.dumps(bad[:3], indent=1)
    assert summary["failed_success_variants"] == []


def test_expected_use_cases_are_implemented_and_pass(replay):
    _out, summary = replay
    passing = {e["use_case_code"] for e in summary["entries"] if e.get("implemented") and rtds.passed(e)}
    missing = [uc for uc in EXPECTED if uc not in passing]
    assert missing == []


def test_error_variants_fail_as_rtds_shows(replay):
    _out, summary = replay
    errors = [e for e in summary["entries"] if e.get("implemented") and e["variant_class"] == "error"]
    assert len(errors) > 40
    assert all(e["response_matches"] for e in errors)


def test_future_dated_alerts_match(replay):
    _out, summary = replay
    fd = [e for e in summary["entries"] if e.get("implemented") and "FUTURE_DATED" in e["variant"]]
    assert fd and all(e.get("alerts_match") for e in fd if "alerts" in e)
    assert sum(len(e.get("alerts", ())) for e in fd) >= 20


def test_maced_responses_are_byte_for_byte(replay):
    out, summary = replay
    root = RTDS / "RTDS-4.5.0"
    checked = 0
    for e in summary["entries"]:
        if not e.get("implemented"):
            continue
        name = e["command"].replace("_COMMAND_", "_RESPONSE_")
        theirs = rtds.read_hex(root / name)
        if wire.parse(theirs).signature:
            continue
        assert rtds.read_hex(out / name) == theirs, name
        checked += 1
    assert checked > 80


def test_signed_responses_verify_with_the_written_keystore(replay):
    out, summary = replay
    checked = 0
    provider = HostCrypto()
    for e in summary["entries"]:
        if not e.get("implemented"):
            continue
        ours = wire.parse(rtds.read_hex(out / e["command"].replace("_COMMAND_", "_RESPONSE_")))
        if not ours.signature:
            continue
        pem = (out / "keystore" / f"{binascii.hexlify(ours.originator).decode()}-ds.pem").read_bytes()
        assert protect.verify_signature(provider, ours, public_point(pem))
        checked += 1
    assert checked > 30


def test_keystore_and_summary_are_written(replay):
    out, _summary = replay
    names = sorted(p.name for p in (out / "keystore").iterdir())
    assert "00db1234567890a0-ds.pem" in names and "00db1234567890a0-ka.pem" in names
    summary = json.loads((out / "summary.json").read_text())
    e = summary["entries"][0]
    for key in ("command", "accepted", "outcome", "implemented"):
        assert key in e


def test_cli_exit_status_and_only(tmp_path):
    runner = CliRunner()
    result = runner.invoke(
        cli,
        [
            "rtds",
            str(RTDS),
            "--out",
            str(tmp_path),
            "--keystore",
            str(RTDS / "keystore"),
            "--only",
            "2.2_CS01a/*",
        ],
    )
    assert result.exit_code == 0, result.output
    summary = json.loads((tmp_path / "summary.json").read_text())
    assert summary["commands"] == 2 and summary["passed"] == 2
    assert (tmp_path / "2.2_CS01a" / "CS01a_2.2_SUCCESS_RESPONSE_GBCS.HEX").exists()


def test_cli_fails_when_a_success_variant_does_not_match(tmp_path, monkeypatch):
    monkeypatch.setitem(rtds.PRECONDITIONS, "ECS09", lambda device, now: None)  # EC cannot activate
    runner = CliRunner()
    result = runner.invoke(cli, ["rtds", str(RTDS), "--out", str(tmp_path), "--only", "2.5_ECS09/*"])
    assert result.exit_code == 1
    assert "ECS09_2.5_SUCCESS_COMMAND_GBCS.HEX" in result.output


def test_cli_unreadable_input(tmp_path):
    runner = CliRunner()
    result = runner.invoke(cli, ["rtds", str(tmp_path / "nope"), "--out", str(tmp_path)])
    assert result.exit_code == 2
