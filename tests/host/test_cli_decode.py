"""`smets-fleet decode`: fields, verification, JSON, exit statuses, and one-line errors."""

import json
import os
import subprocess
import sys

import pytest
from click.testing import CliRunner

from smets_fleet.cli import cli
from support import rtds_dir

ROOT = rtds_dir()
pytestmark = pytest.mark.skipif(ROOT is None, reason="RTDS 4.5.0 vectors not found: set SMETS_RTDS_DIR")


def vector(rel):
    return os.path.join(ROOT, "RTDS-4.5.0", rel)


def keystore():
    return os.path.join(ROOT, "keystore")


def run(*args):
    result = CliRunner().invoke(cli, ["decode", *args])
    return result.exit_code, result.output


def test_critical_command_json_verifies_mac_and_signature():
    code, out = run(
        vector("1.5_ECS04a/ECS04a_1.5_SUCCESS_COMMAND_GBCS.HEX"), "--keystore", keystore(), "--json"
    )
    assert code == 0, out
    obj = json.loads(out)
    # from RTDS decoded/1.5_ECS04a.txt: message code 00 1C, supplier -> ESME 00DB1234567890A0
    assert obj["message_code"] == 0x001C
    assert obj["use_case"] == "ECS04a"
    assert obj["cra"] == 1
    assert obj["originator"] == "90B3D51F30010000"
    assert obj["recipient"] == "00DB1234567890A0"
    assert obj["mac_verified"] is True
    assert obj["signature_verified"] is True
    assert obj["payload_kind"] == "dlms"


def test_response_mac_only_signature_null():
    code, out = run(
        vector("2.2_CS01a/CS01a_2.2_SUCCESS_RESPONSE_GBCS.HEX"), "--keystore", keystore(), "--json"
    )
    assert code == 0, out
    obj = json.loads(out)
    assert obj["cra"] == 2 and obj["mac_verified"] is True and obj["signature_verified"] is None


def test_hex_string_argument_and_text_output():
    with open(vector("2.2_CS01a/CS01a_2.2_SUCCESS_COMMAND_GBCS.HEX")) as f:
        text = f.read().strip()
    code, out = run(text, "--keystore", keystore())
    assert code == 0, out
    assert "CS01a" in out and "MAC" in out and "verified" in out


def test_hex_string_longer_than_a_file_name():
    # ECS04a's command is over 255 hex digits: too long to be a file name, still a frame
    with open(vector("1.5_ECS04a/ECS04a_1.5_SUCCESS_COMMAND_GBCS.HEX")) as f:
        text = "".join(f.read().split())
    assert len(text) > 255
    code, out = run(text, "--keystore", keystore(), "--json")
    assert code == 0, out
    assert json.loads(out)["use_case"] == "ECS04a"


def test_tampered_frame_exits_1():
    with open(vector("2.2_CS01a/CS01a_2.2_SUCCESS_COMMAND_GBCS.HEX")) as f:
        data = bytearray.fromhex(f.read().strip())
    data[-20] ^= 0x40  # inside the payload's UTRN digits: still parses, MAC must fail
    code, out = run(data.hex(), "--keystore", keystore(), "--json")
    assert code == 1, out
    assert json.loads(out)["mac_verified"] is False


def test_without_keystore_nothing_is_claimed_verified():
    code, out = run(vector("1.5_ECS04a/ECS04a_1.5_SUCCESS_COMMAND_GBCS.HEX"), "--json")
    obj = json.loads(out)
    assert obj["mac_verified"] is False and "not checked" in obj["mac_detail"]
    assert code == 1


@pytest.mark.parametrize(
    "args, words",
    [
        (["zzzz"], "neither a readable file nor hex"),
        (["DD0011"], "not a GBCS frame"),
        (["ABC"], "odd number"),
        (["DF"], "not a GBCS frame"),
    ],
)
def test_bad_input_one_line_exit_2(args, words):
    code, out = run(*args)
    assert code == 2
    lines = [line for line in out.splitlines() if line.strip()]
    assert len(lines) == 1 and words in lines[0], out


def test_bad_keystore_one_line_exit_2(tmp_path):
    code, out = run(
        vector("2.2_CS01a/CS01a_2.2_SUCCESS_COMMAND_GBCS.HEX"), "--keystore", str(tmp_path / "nope")
    )
    assert code == 2 and "not a folder" in out and len(out.strip().splitlines()) == 1
    (tmp_path / "00db1234567890a0-ka.pem").write_text("garbage")
    code, out = run(vector("2.2_CS01a/CS01a_2.2_SUCCESS_COMMAND_GBCS.HEX"), "--keystore", str(tmp_path))
    assert code == 2 and "unreadable key" in out and len(out.strip().splitlines()) == 1


def test_console_script_prints_no_traceback_on_garbage():
    proc = subprocess.run(
        [sys.executable, "-m", "smets_fleet.cli", "decode", "DD00000000000005110000000000"],
        capture_output=True,
        text=True,
    )
    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr
    assert len(proc.stderr.strip().splitlines()) == 1
