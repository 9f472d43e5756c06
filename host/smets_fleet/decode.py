"""`smets-fleet decode`: one GBCS frame in, its fields and verification results out."""

from __future__ import annotations

import binascii
import string
from pathlib import Path
from typing import Any

from smets.security.keyring import KeyRing
from smets.security.verify import verify_frame
from smets.wire import frame as wire
from smets.wire import message_codes
from smets.wire.dlms_text import datetime_text
from smets.wire.errors import DecodeError
from smets.wire.payload import decode_payload, payload_to_json

CRA_NAMES = {wire.CRA_COMMAND: "command", wire.CRA_RESPONSE: "response", wire.CRA_ALERT: "alert"}
_HEXCHARS = set(string.hexdigits)


class InputError(ValueError):
    """The FRAME argument could not be turned into bytes."""


def read_frame_argument(arg: str) -> bytes:
    """A hex file (RTDS layout), a binary file, or a hex string on the command line."""
    path = Path(arg)
    try:
        is_file, exists = path.is_file(), path.exists()
    except OSError:  # e.g. a long hex string is too long to be a file name: it is not one
        is_file = exists = False
    if is_file:
        raw = path.read_bytes()
        try:
            text = raw.decode("ascii")
        except UnicodeDecodeError:
            return raw
        return _unhex(text, f"file {arg}")
    if exists:
        raise InputError(f"{arg} is not a regular file")
    return _unhex(arg, "argument")


def _unhex(text: str, what: str) -> bytes:
    cleaned = "".join(text.split())
    if cleaned[:2].lower() == "0x":
        cleaned = cleaned[2:]
    if not cleaned:
        raise InputError(f"{what} is empty")
    bad = next((c for c in cleaned if c not in _HEXCHARS), None)
    if bad is not None:
        raise InputError(f"{what} is neither a readable file nor hex (found {bad!r})")
    if len(cleaned) % 2:
        raise InputError(f"{what} has an odd number of hex digits")
    return binascii.unhexlify(cleaned)


def hexs(b: bytes | None) -> str | None:
    return None if b is None else binascii.hexlify(b).decode().upper()


def describe(frame_bytes: bytes, keyring: KeyRing | None, provider: Any, acb: bytes | None) -> dict[str, Any]:
    """Parse and (with a key ring) verify one frame. Raises DecodeError for a malformed frame."""
    frame = wire.parse(frame_bytes)
    row = message_codes.lookup(frame.message_code)
    out: dict[str, Any] = {
        "message_code": frame.message_code,
        "message_code_hex": f"0x{frame.message_code:04X}",
        "use_case": row[1] if row else None,
        "use_case_name": row[2] if row else None,
        "category": message_codes.category_name(row[3]) if row else None,
        "cra": frame.cra,
        "cra_name": CRA_NAMES[frame.cra],
        "originator_counter": frame.counter,
        "originator": hexs(frame.originator),
        "recipient": hexs(frame.recipient),
        "date_time": datetime_text(frame.date_time) if frame.date_time else None,
        "supplementary_remote_party_id": hexs(frame.supp_remote_party_id),
        "supplementary_remote_party_counter": frame.supp_remote_party_counter,
        "supplementary_originator_counter": frame.supp_originator_counter,
        "key_agreement_certificate": hexs(frame.ka_certificate),
        "payload_hex": hexs(frame.payload),
        "pre_command": frame.signature is None,
        "signature_present": bool(frame.signature),
        "mac_present": frame.mac is not None,
        "mac_verified": None,
        "signature_verified": None,
    }
    try:
        kind, structure = decode_payload(frame.payload)
        out["payload_kind"] = kind
        out["payload"] = payload_to_json(kind, structure)
    except DecodeError as exc:
        out["payload_kind"] = None
        out["payload_error"] = str(exc)
    except ImportError:  # a payload codec not present in this build
        out["payload_kind"] = None
    if keyring is not None:
        result = verify_frame(provider, frame, keyring, acb)
        out["mac_verified"] = result.mac
        out["signature_verified"] = result.signature
        out["mac_detail"] = result.mac_detail or None
        out["signature_detail"] = result.signature_detail or None
    else:
        if frame.mac is not None:
            out["mac_verified"] = False
            out["mac_detail"] = "not checked: no --keystore given"
        if frame.signature:
            out["signature_verified"] = False
            out["signature_detail"] = "not checked: no --keystore given"
    return out


def exit_status(out: dict[str, Any]) -> int:
    return 1 if out["mac_verified"] is False or out["signature_verified"] is False else 0


def format_text(out: dict[str, Any]) -> str:
    lines = [
        f"{out['cra_name'].capitalize()} {out['message_code_hex']} "
        f"{out['use_case'] or 'unknown'}: {out['use_case_name'] or 'unknown use case'}"
        + (f" [{out['category']}]" if out["category"] else ""),
        f"  originator      {out['originator']}  counter {out['originator_counter']}",
        f"  recipient       {out['recipient']}",
    ]
    if out["date_time"]:
        lines.append(f"  date-time       {out['date_time']}")
    if out["supplementary_remote_party_id"]:
        lines.append(
            f"  supplementary   remote party {out['supplementary_remote_party_id']}"
            f" counter {out['supplementary_remote_party_counter']}"
        )
    if out["supplementary_originator_counter"] is not None:
        lines.append(f"  supp. originator counter {out['supplementary_originator_counter']}")
    if out["key_agreement_certificate"]:
        lines.append(f"  KA certificate  {len(out['key_agreement_certificate']) // 2} octets")
    lines.append(
        f"  payload         {out.get('payload_kind') or 'undecoded'}, {len(out['payload_hex']) // 2} octets"
    )
    if "payload" in out:
        import json

        for line in json.dumps(out["payload"], indent=2).splitlines():
            lines.append("    " + line)
    elif "payload_error" in out:
        lines.append(f"    payload not decoded: {out['payload_error']}")

    def status(present: bool, verified: Any, detail: Any) -> str:
        if not present:
            return "absent"
        if verified:
            return "present, verified"
        return f"present, NOT verified ({detail})"

    lines.append(
        "  signature       "
        + (
            "pre-command (no signature field)"
            if out["pre_command"]
            else status(out["signature_present"], out["signature_verified"], out.get("signature_detail"))
        )
    )
    lines.append(
        "  MAC             " + status(out["mac_present"], out["mac_verified"], out.get("mac_detail"))
    )
    return "\n".join(lines)
