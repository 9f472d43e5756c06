"""`smets-fleet rtds`: replay the RTDS 4.5.0 commands against emulated devices and compare.

For every `*_COMMAND_GBCS.HEX` under the vectors folder a fresh device (or premises) is built with
the recipient's RTDS EUI, the remote parties' certificates as trust anchors, and two key pairs:

* key agreement: RTDS publishes no device private keys, so the device computes Z from the remote
  party's private key and its own (RTDS) public key: ECDH is symmetric, and the device's MACs and
  encrypted reads equal RTDS's byte for byte;
* signing: the device signs with a DS key of its own (deterministic from its EUI), whose public
  key is written to OUT_DIR/keystore/<eui>-ds.pem beside <eui>-ka.pem.

The device is then put in the state the RTDS files show (see `prime`): the values a read returns
are loaded into the device's state first (through the same COSEM bindings the read uses), an ERROR
variant gets an injected hardware fault on the specification RTDS shows failing, and the alert
counter starts where RTDS's alerts are. The command goes in at 2015-01-01T00:00:00Z (the time RTDS
responses carry); future-dated items are run by ticking the device to their time.

Each response and alert is written to OUT_DIR/<folder>/ named like the RTDS file it corresponds
to, and OUT_DIR/summary.json records, per command file, whether it was accepted, the outcome and
whether the response (and alerts) equal RTDS's: byte for byte when RTDS's frame carries only a MAC,
field by field ignoring the signature when it is signed.
"""

from __future__ import annotations

import binascii
import fnmatch
import hashlib
import json
import re
from pathlib import Path
from typing import Any

from smets.behaviour.timeutil import UNIX_OFFSET, to_seconds
from smets.devices import trust as tr
from smets.devices.chf import Chf
from smets.devices.esme import Esme
from smets.devices.gpf import Gpf
from smets.devices.gsme import Gsme
from smets.devices.han import Hcalcs, Ppmid
from smets.devices.keyagreement import ReplayKeyAgreement
from smets.premises import Premises
from smets.security import protect
from smets.security.kdf import MODE_ENCRYPTION, derive_key
from smets.security.keyring import USAGE_DS, USAGE_KA, USAGE_PP_KA, KeyRing
from smets.security.protect import encryption_titles
from smets.usecases import cosem, logs, zse
from smets.usecases.han import CS08_FAULT
from smets.usecases.logs import GCS28_FAULT
from smets.wire import der, dlms, gbz
from smets.wire import dlms_axdr as ax
from smets.wire import frame as wire
from smets.wire import message_codes as mc
from smets.wire.errors import DecodeError
from smets.wire.payload import KIND_GBZ, payload_kind
from smets_fleet.atomic import write_text

RTDS_NOW = to_seconds(2015, 1, 1)
RTDS_ALERT_COUNTER = 2000
WAKE = 1800  # the replay's GSME wake interval (seconds)

# The RTDS remote parties (GBCS roles; EUIs as the RTDS keystore names them).
REMOTE_PARTIES = (
    (tr.ROLE_SUPPLIER, "90b3d51f30010000"),
    (tr.ROLE_ACB, "90b3d51f30000002"),
    (tr.ROLE_NETWORK_OPERATOR, "90b3d51f30020000"),
    (tr.ROLE_TRANSITIONAL_COS, "90b3d51f30000004"),
    (tr.ROLE_WAN_PROVIDER, "90b3d51f30000007"),
    (tr.ROLE_RECOVERY, "90b3d51f30000001"),
    (tr.ROLE_LOAD_CONTROLLER, "90b3d51f30010008"),
)
# RTDS device EUIs end in the device's kind (../shared/spec/SMETS-GBCS.md §1).
KINDS = {0xA0: "ESME", 0xA1: "GSME", 0xA2: "CHF", 0xA3: "GPF", 0xA4: "PPMID", 0xA5: "HCALCS", 0xA6: "SAPC"}

DEVICE_CLASSES: dict[str, Any] = {
    "ESME": Esme,
    "CHF": Chf,
    "GSME": Gsme,
    "GPF": Gpf,
    "PPMID": Ppmid,
    "HCALCS": Hcalcs,
}

_N = 0xFFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551
_NAME = re.compile(r"^(?P<uc>[^_]+)_(?P<srv>[^_]+)_(?P<variant>.+)_COMMAND_GBCS\.HEX$")


def device_ds_private(eui: bytes) -> bytes:
    """The replay's own DS key for a device: deterministic, so runs are repeatable."""
    d = int.from_bytes(hashlib.sha256(b"smets-fleet rtds device DS key " + eui).digest(), "big")
    return (d % (_N - 1) + 1).to_bytes(32, "big")


def read_hex(path: Path) -> bytes:
    return binascii.unhexlify("".join(path.read_text().split()))


def write_hex(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(binascii.hexlify(data).decode().upper() + "\n")


class RemotePrivates:
    """KA public key -> private scalar of every remote party in the keystore (KA and PP-KA)."""

    def __init__(self, ring: KeyRing) -> None:
        self._map: dict[bytes, bytes] = {}
        for usage in (USAGE_KA, USAGE_PP_KA):
            for eui in ring.private_euis(usage):
                pub = ring.public(eui, usage)
                priv = ring.private(eui, usage)
                if pub is not None and priv is not None:
                    self._map[bytes(pub)] = bytes(priv)

    def get(self, public: bytes) -> bytes | None:
        return self._map.get(bytes(public))


def trust_anchors(ring: KeyRing) -> tr.TrustAnchors:
    anchors = tr.TrustAnchors()
    for role, hexeui in REMOTE_PARTIES:
        eui = binascii.unhexlify(hexeui)
        for usage in (USAGE_DS, USAGE_KA):
            pub = ring.public(eui, usage)
            if pub is not None:
                anchors.set(role, usage, eui, pub)
        pp = ring.public(eui, USAGE_PP_KA)
        if pp is not None:
            anchors.set(role, USAGE_KA, eui, pp, tr.CELL_PREPAYMENT_TOP_UP)
    return anchors


def prepayment_with_ec_available(device: Any, now: int) -> None:
    """A prepayment meter whose balance is below its EC threshold (what ECS09 success needs)."""
    m = device.meter
    m.set_payment_mode(1 + 1, False, False, 0, now, now)
    m.set_prepayment_config(0, 300000, 100000, 1000000, 5000000, 30, 604800, now, now)


def prepayment_mode(device: Any, now: int) -> None:
    """A meter in prepayment mode (a top-up raises its credit)."""
    device.meter.set_payment_mode(2, False, False, 0, now, now)


# Preconditions a SUCCESS variant needs that no RTDS file shows (GBCS pre-conditions of the use
# case): use case -> function(device, now).
PRECONDITIONS = {
    "ECS09": prepayment_with_ec_available,
    "CS01b": prepayment_mode,
}


def prime_cs06(device: Any, command: wire.Frame, rtds_response: wire.Frame, alerts: list) -> None:
    """CS06: the image the device holds and the version it runs, as the RTDS outcome shows (in the
    response when run at once, in the FDFA alert when future-dated): success means it holds the
    image the command names; "no image held" that it holds none; "hash mismatch" another one."""
    image_hash = der.to_bytes(der.parse_payload(command.payload)[0])
    outcome = der.parse_payload(rtds_response.payload)
    for _name, a in alerts:
        outcome = der.parse_payload(a.payload)[3]
    if outcome.tag != der.SEQUENCE:
        return
    code = der.to_int(outcome[0])
    version = int.from_bytes(der.to_bytes(outcome[1]), "big")
    store = device.meter.firmware
    if code == 0:
        store.held_hash, store.held_version = image_hash, version
    else:
        store.running_version = version
        store.held_hash = hashlib.sha256(b"another image").digest() if code == 2 else None
        store.held_version = version if code == 2 else None


def prime_gcs28(device: Any, command: wire.Frame, rtds_response: wire.Frame, alerts: list) -> None:
    """GCS28: an unreliable outcome in RTDS is a GSME that cannot take the Comms Hub's time."""
    if der.to_int(der.parse_payload(rtds_response.payload)[1]) != 0:
        device.inject_fault(GCS28_FAULT)


def prime_cs08(device: Any, command: wire.Frame, rtds_response: wire.Frame, alerts: list) -> None:
    """CS08: the version RTDS reads is the one the device runs; a read failure is a device that
    cannot read it."""
    outcome = der.parse_payload(rtds_response.payload)
    if der.to_int(outcome[1]) != 0:
        device.inject_fault(CS08_FAULT)
    else:
        device.firmware.running_version = int.from_bytes(der.to_bytes(outcome[0]), "big")


def prime_cs07(device: Any, command: wire.Frame, rtds_response: wire.Frame, alerts: list) -> None:
    """CS07: the device log RTDS shows, or (read failure) a device that cannot read it."""
    outcome = der.parse_payload(rtds_response.payload)
    if der.to_int(outcome[0]) != logs.CS07_SUCCESS:
        device.inject_fault(logs.CS07_FAULT)
        return
    for item in outcome[1].children or []:
        logs.join(device, der.to_bytes(item[0]), der.to_int(item[1]))


# Use cases whose RTDS state is primed by a function of their own (DER payloads).
DER_PRIMERS = {"CS06": prime_cs06, "CS07": prime_cs07, "GCS28": prime_gcs28, "CS08": prime_cs08}
# Use cases whose response carries the device's time in the payload, compared without it.
TIMED_PAYLOADS = ("GCS28",)


class Replay:
    """One replay run: the keystore, the provider, and the devices' key material."""

    def __init__(self, ring: KeyRing, provider: Any) -> None:
        self.ring = ring
        self.provider = provider
        self.remote = RemotePrivates(ring)
        self.trust = trust_anchors(ring)
        self.keys_used: dict[bytes, tuple[bytes, bytes]] = {}

    def make_premises(self, eui: bytes) -> tuple[Any, Any]:
        """A fresh premises holding the RTDS devices of the same hub (ESME A0, GSME A1, CHF A2,
        GPF A3, and on its HAN the PPMID A4 and HCALCS A5), and the one among them with this EUI
        (None when that kind is not emulated). For a command to the GSME, its next wake-up is RTDS's
        time, so it is answered then; otherwise the GSME sleeps through the replay and the GPF keeps
        the mirror the replay primed."""
        base = eui[:7]
        devices = {}
        for last, kind in ((0xA0, "ESME"), (0xA1, "GSME"), (0xA2, "CHF"), (0xA3, "GPF")):
            devices[kind] = self.make_device(base + bytes((last,)))
        han = [d for d in (self.make_device(base + bytes((last,))) for last in (0xA4, 0xA5)) if d is not None]
        if devices["CHF"] is None:
            return None, None
        wakes_now = devices["GSME"] is not None and devices["GSME"].eui == eui
        premises = Premises(
            devices["CHF"],
            devices["GPF"],
            devices["ESME"],
            devices["GSME"],
            RTDS_NOW - WAKE if wakes_now else RTDS_NOW,
            WAKE,
            han,
        )
        target = next((d for d in premises.devices() if d.eui == eui), None)
        return premises, target

    def make_device(self, eui: bytes) -> Any:
        """A fresh device for an RTDS EUI, or None when its kind is not emulated."""
        kind = KINDS.get(eui[-1]) if eui[:7] == bytes.fromhex("00db1234567890") else None
        ka_public = self.ring.public(eui, USAGE_KA)
        cls = DEVICE_CLASSES.get(kind or "")
        if cls is None or ka_public is None:
            return None
        ds_private = device_ds_private(eui)
        ka = ReplayKeyAgreement(self.provider, ka_public, self.remote)
        ds_public = self.provider.public_key(ds_private)
        self.keys_used[eui] = (ds_public, bytes(ka_public))
        return cls(
            eui,
            self.provider,
            ds_private,
            ka,
            self.trust,
            RTDS_NOW,
            ds_public=ds_public,
            alert_counter=RTDS_ALERT_COUNTER,
        )

    # -- priming ---------------------------------------------------------------------------------
    def prime(self, device: Any, command: wire.Frame, rtds_response: wire.Frame | None, alerts: list) -> None:
        """Put the device in the state the RTDS files show (see the module docstring)."""
        counters = [a.counter for _name, a in alerts]
        if rtds_response is not None and rtds_response.supp_originator_counter is not None:
            counters.append(rtds_response.supp_originator_counter)
        if counters:
            device.alert_counter = min(counters)
        if rtds_response is None:
            return
        primer = DER_PRIMERS.get(mc.use_case_name(command.message_code))
        if primer is not None:
            primer(device, command, rtds_response, alerts)
            return
        if payload_kind(command.payload) == KIND_GBZ:
            self._prime_gbz(device, command, rtds_response)
            dt = rtds_response.date_time
            if dt is not None and dt[11] != 0xFF:  # a dated read: the time and status of its data
                device.data_stamp = (ax.datetime_to_utc(dt[:11] + b"\xff") - UNIX_OFFSET, dt[11])
            return
        try:
            req = dlms.parse_payload(command.payload)
            resp = dlms.parse_payload(rtds_response.payload)
        except DecodeError:
            return
        if not isinstance(req, dlms.AccessRequest) or not isinstance(resp, dlms.AccessResponse):
            return
        for i, (_kind, result) in enumerate(resp.results):
            if result != cosem.R_SUCCESS:
                device.inject_fault(cosem.fault_key(req.specs[i]))
                break
        for i, spec in enumerate(req.specs):
            if i >= len(resp.results) or resp.results[i][1] != cosem.R_SUCCESS:
                continue
            value = resp.data[i]
            if spec.kind in (dlms.GET, dlms.GET_WITH_SELECTION):
                device.load(spec.class_id, spec.instance, spec.member, value)
            elif (
                spec.class_id == cosem.DATA_PROTECTION_CLASS and spec.member == cosem.GET_PROTECTED_ATTRIBUTES
            ):
                self._prime_protected(device, req.data[i], value, rtds_response)
            elif spec.kind == dlms.ACTION and value[0] != ax.T_NULL:
                device.load_action(spec.class_id, spec.instance, spec.member, value)

    def _prime_gbz(self, device: Any, command: wire.Frame, rtds_response: wire.Frame) -> None:
        try:
            req = gbz.parse_payload(command.payload, alert=False)
            resp = gbz.parse_payload(rtds_response.payload, alert=False)
        except DecodeError:
            return
        faulted = False
        by_sequence = {c.sequence: c for c in req.components}
        for comp in resp.components:
            q = by_sequence.get(comp.sequence)  # several response components can answer one request
            if comp.is_encrypted():
                plain = self._decrypt(device, rtds_response, comp.protected)
                if plain is None:
                    continue
                comp.set_plaintext(plain)
            try:
                cmd = comp.command()
            except DecodeError:
                continue
            if cmd is None:
                continue
            if not comp.is_cluster_specific() and comp.command_id == zse.READ_ATTRIBUTES_RESPONSE:
                for rec in cmd.get("records", []):
                    if rec.status == zse.S_SUCCESS:
                        device.load(comp.cluster_id, rec.id, rec.type, rec.value)
                    elif rec.status == zse.S_HARDWARE_FAILURE and not faulted and q is not None:
                        device.inject_fault(zse.fault_key(q, rec.id))
                        faulted = True
            elif not comp.is_cluster_specific() and comp.command_id == zse.DEFAULT_RESPONSE:
                if (
                    cmd.get("status") == zse.S_HARDWARE_FAILURE
                    and cmd.get("command_id") != 0xFF
                    and not faulted
                ):
                    if q is not None:
                        device.inject_fault(zse.fault_key(q))
                        faulted = True
            elif comp.is_cluster_specific():
                device.load_response(comp.cluster_id, comp.command_id, cmd)
                if cmd.get("cleared_event_logs") == 0 and q is not None and not faulted:
                    device.inject_fault(zse.fault_key(q))  # CS11 ERROR: nothing could be cleared
                    faulted = True

    def _decrypt(self, device: Any, rtds_response: wire.Frame, content: bytes) -> bytes | None:
        originator, counter, party = encryption_titles(rtds_response)
        private = self.ring.private(party, USAGE_KA)
        if private is None:
            return None
        key = derive_key(
            self.provider, private, device.ka.public, MODE_ENCRYPTION, originator, counter, party
        )
        return protect.decrypt_content(self.provider, key, rtds_response.originator, content)

    def _prime_protected(
        self, device: Any, request_value: tuple, value: tuple, rtds_response: wire.Frame
    ) -> None:
        parts = dlms.protected_parts(value)
        if parts is None:
            return
        plain = self._decrypt(device, rtds_response, parts[3] + parts[4])
        if plain is None:
            return
        values = ax.decode(plain)[0][1]
        wanted = cosem.protected_request(request_value)
        for (cls, inst, attr, _sel), v in zip(wanted, values):
            device.load(cls, inst, attr, v)


# ---- comparing -------------------------------------------------------------------------------


def _fields(f: wire.Frame) -> dict[str, Any]:
    return {
        "cra": f.cra,
        "counter": f.counter,
        "originator": f.originator.hex(),
        "recipient": f.recipient.hex(),
        "date_time": f.date_time.hex() if f.date_time else None,
        "message_code": f.message_code,
        "supp_remote_party_id": f.supp_remote_party_id.hex() if f.supp_remote_party_id else None,
        "supp_remote_party_counter": f.supp_remote_party_counter,
        "supp_originator_counter": f.supp_originator_counter,
        "payload": f.payload.hex(),
        "signed": bool(f.signature),
        "mac": f.mac is not None,
    }


def _without_times(payload: str) -> str:
    """A DER payload (hex) with every GeneralizedTime's text blanked (the device's current time)."""
    node = der.parse_payload(bytes.fromhex(payload))
    stack = [node]
    while stack:
        n = stack.pop()
        if n.children is not None:
            stack.extend(n.children)
        elif n.tag == der.GENERALIZED_TIME:
            n.value = b"0" * len(n.value)
    return der.build_payload(node).hex()


def compare(ours: bytes, theirs: bytes) -> tuple[bool, str]:
    """(equal, why not). Byte for byte when RTDS's frame carries no signature (a MAC or nothing);
    otherwise every field but the signature (which is made with the device's own DS key), and for a
    payload that carries the device's current time (TIMED_PAYLOADS), everything but that time."""
    theirs_f = wire.parse(theirs)
    if not theirs_f.signature:
        if ours == theirs:
            return True, "equal byte for byte"
    try:
        ours_f = wire.parse(ours)
    except DecodeError as exc:
        return False, f"our frame does not parse: {exc}"
    a, b = _fields(ours_f), _fields(theirs_f)
    timed = mc.use_case_name(theirs_f.message_code) in TIMED_PAYLOADS and theirs_f.signature
    if timed:
        try:
            a["payload"], b["payload"] = _without_times(a["payload"]), _without_times(b["payload"])
        except DecodeError:
            pass
    diffs = [k for k in a if a[k] != b[k]]
    if diffs:
        return False, "differs in " + ", ".join(f"{k} (ours {a[k]!r}, RTDS {b[k]!r})" for k in diffs)[:600]
    if not theirs_f.signature:
        return False, "fields equal but bytes differ (MAC)"
    if timed:
        return True, "equal except the signature and the device's current time"
    return True, "equal except the signature"


# ---- the run ---------------------------------------------------------------------------------


def variant_class(variant: str) -> str:
    if "ERROR" in variant:
        return "error"
    if "NOT_FOUND" in variant:
        return "not_found"
    return "success"


def _alert_files(folder: Path, uc: str, srv: str, variant: str) -> list[Path]:
    pattern = f"{uc}_{srv}_*_{variant}_ALERT*_GBCS.HEX"
    return sorted(p for p in folder.iterdir() if fnmatch.fnmatch(p.name, pattern))


def _alert_key(f: wire.Frame) -> bytes:
    """What identifies an alert among several of one command: message code and payload body
    without the invoke id and counter."""
    return f.message_code.to_bytes(2, "big") + f.payload[5:]


def replay_file(rp: Replay, path: Path, out_dir: Path, root: Path) -> dict[str, Any]:
    rel = path.relative_to(root)
    m = _NAME.match(path.name)
    entry: dict[str, Any] = {"command": str(rel)}
    if m is None:
        entry.update(implemented=False, accepted=False, outcome="unrecognised file name")
        return entry
    uc, srv, variant = m.group("uc"), m.group("srv"), m.group("variant")
    entry.update(use_case=uc, srv=srv, variant=variant, variant_class=variant_class(variant))
    command_bytes = read_hex(path)
    command = wire.parse(command_bytes)
    entry["recipient"] = command.recipient.hex()
    row = mc.lookup(command.message_code)
    entry["message_code"] = f"0x{command.message_code:04X}"
    entry["use_case_code"] = row[1] if row else None
    resp_path = path.with_name(path.name.replace("_COMMAND_", "_RESPONSE_"))
    rtds_response = wire.parse(read_hex(resp_path)) if resp_path.exists() else None
    alerts = [(p.name, wire.parse(read_hex(p))) for p in _alert_files(path.parent, uc, srv, variant)]
    premises, device = rp.make_premises(command.recipient)
    if device is None:
        entry.update(implemented=False, accepted=False, outcome="device kind not emulated")
        return entry
    implemented = command.message_code in device.usecases
    entry["implemented"] = implemented
    pre = PRECONDITIONS.get(entry["use_case_code"] or "")
    if pre is not None and variant_class(variant) == "success":
        pre(device, RTDS_NOW)
    rp.prime(device, command, rtds_response, alerts)
    out = premises.receive(command_bytes, RTDS_NOW)
    entry["accepted"] = device.last_gate == "accepted"
    entry["outcome"] = device.last_gate
    if device.last_error is not None:
        entry["error"] = repr(device.last_error)
    while device.pending:
        out += premises.tick(min(p.at for p in device.pending))
    if device is premises.gsme:
        out += premises.tick(premises.next_wake)  # what the GSME holds leaves when it wakes
    responses = [b for b in out if wire.parse(b).cra == wire.CRA_RESPONSE]
    our_alerts = [b for b in out if wire.parse(b).cra == wire.CRA_ALERT]
    folder_out = out_dir / rel.parent
    if responses:
        write_hex(folder_out / resp_path.name, responses[0])
    if rtds_response is not None:
        if responses:
            ok, why = compare(responses[0], read_hex(resp_path))
        else:
            ok, why = False, "no response"
        entry["response_matches"] = ok
        entry["response_detail"] = why
    else:
        entry["response_matches"] = None
    # alerts: pair each RTDS alert with ours by message code and body
    remaining = list(our_alerts)
    matched = []
    for name, theirs in alerts:
        key = _alert_key(theirs)
        hit = None
        for b in remaining:
            if _alert_key(wire.parse(b)) == key:
                hit = b
                break
        if hit is None:
            matched.append({"file": name, "matches": False, "detail": "no such alert"})
            continue
        remaining.remove(hit)
        write_hex(folder_out / name, hit)
        ok, why = compare(hit, read_hex(path.parent / name))
        matched.append({"file": name, "matches": ok, "detail": why})
    extra = []
    for n, b in enumerate(remaining):
        f = wire.parse(b)
        name = f"{uc}_{srv}_{variant}_EXTRA{n + 1}_ALERT_GBCS.HEX"
        write_hex(folder_out / name, b)
        extra.append({"file": name, "message_code": f"0x{f.message_code:04X}"})
    if alerts:
        entry["alerts"] = matched
        entry["alerts_match"] = all(a["matches"] for a in matched)
    if extra:
        entry["extra_alerts"] = extra
    return entry


def passed(entry: dict[str, Any]) -> bool:
    """Accepted, and the response (and any RTDS alerts) equal RTDS's."""
    if not entry.get("accepted"):
        return False
    if entry.get("response_matches") is False:
        return False
    return entry.get("alerts_match", True) is not False


def run(
    vectors: Path, out_dir: Path, ring: KeyRing, provider: Any, only: str | None = None
) -> dict[str, Any]:
    """Replay every command file under `vectors` (the RTDS-4.5.0 folder, or a folder above it)."""
    root = vectors / "RTDS-4.5.0" if (vectors / "RTDS-4.5.0").is_dir() else vectors
    rp = Replay(ring, provider)
    files = sorted(root.rglob("*_COMMAND_GBCS.HEX"))
    if only:
        files = [
            p
            for p in files
            if fnmatch.fnmatch(str(p.relative_to(root)), only) or fnmatch.fnmatch(p.name, only)
        ]
    entries = [replay_file(rp, p, out_dir, root) for p in files]
    from smets_fleet.keystore import write_public_key

    for eui, (ds_public, ka_public) in sorted(rp.keys_used.items()):
        write_public_key(out_dir / "keystore", eui, USAGE_DS, ds_public)
        write_public_key(out_dir / "keystore", eui, USAGE_KA, ka_public)
    failures = [
        e["command"]
        for e in entries
        if e.get("implemented") and e.get("variant_class") == "success" and not passed(e)
    ]
    summary = {
        "rtds_time": "2015-01-01T00:00:00Z",
        "commands": len(entries),
        "implemented": sum(1 for e in entries if e.get("implemented")),
        "passed": sum(1 for e in entries if e.get("implemented") and passed(e)),
        "failed_success_variants": failures,
        "entries": entries,
    }
    write_text(out_dir / "summary.json", json.dumps(summary, indent=1) + "\n")
    write_text(out_dir / "use-cases.md", conformance_table(summary))
    return summary


def _srv_key(srv: str) -> tuple:
    return tuple(int(p) if p.isdigit() else 999 for p in srv.split("."))


def conformance_table(summary: dict[str, Any]) -> str:
    """Markdown: one row per RTDS folder (SRV, use case, device), each variant pass / FAIL / n.i."""
    rows: dict[tuple, list[str]] = {}
    devices: dict[tuple, set[str]] = {}
    for e in summary["entries"]:
        if "use_case" not in e:
            continue
        key = (_srv_key(e["srv"]), e["srv"], e["use_case"])
        if not e.get("implemented"):
            mark = "n.i."
        else:
            mark = "pass" if passed(e) else "**FAIL**"
        rows.setdefault(key, []).append(f"{e['variant']}: {mark}")
        kind = KINDS.get(int(e.get("recipient", "0"), 16) & 0xFF)
        devices.setdefault(key, set()).add(kind or e.get("recipient", "?"))
    total = sum(1 for e in summary["entries"] if "use_case" in e)
    lines = [
        "# RTDS 4.5.0 conformance",
        "",
        "Generated by `smets-fleet rtds ../shared/rtds --out OUT` (OUT/use-cases.md); do not edit by hand.",
        "Each command file of RTDS 4.5.0 is replayed against a fresh emulated device: *pass* means the",
        "command was accepted and the response (and every RTDS alert of that variant) equals RTDS's, byte",
        "for byte where RTDS's frame carries only a MAC and field by field except the signature where it is",
        'signed; *n.i.* means the device does not implement the use case (it answers "not supported").',
        "",
        f"{summary['passed']} of {total} command files pass; {summary['implemented']} are of implemented"
        " use cases.",
        "",
        "| SRV | use case | device | variants |",
        "|---|---|---|---|",
    ]
    for key in sorted(rows):
        _k, srv, uc = key
        lines.append(f"| {srv} | {uc} | {', '.join(sorted(devices[key]))} | {'; '.join(sorted(rows[key]))} |")
    return "\n".join(lines) + "\n"
