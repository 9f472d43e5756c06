"""The head end, sans-I/O: it plays the DCC and the supplier (and every other remote party).

Theory of operation. ``build(sr, device, params, now, timeout)`` turns a service request into one
protected GBCS command: the payload from the catalogue (smets_fleet.srv), the supplier's signature
when the use case is critical, the ACB's command MAC (KDF mode 1 between the ACB's KA key and the
device's), under the next originator counter of (originator, device). It returns the frame and a
``Pending`` record that the response must match. ``receive(frame, now)`` checks a frame from a
device and returns exactly one of:

* ``Response``: the answer to a pending command, authentic (signed by the device's DS key when
  the command was critical, else MACed, KDF mode 2, to the party it answers), carrying the
  pending command's counter (the correlation) and message code; decoded into ``ok``/``error`` and
  ``values``. Taking it ends the pending command, so a second copy is refused.
* ``Alert``: an authentic alert (signed when its message code is a critical alert, else MACed,
  mode 3) whose counter is above the last one seen from that device; with its alert code. A "not
  supported" alert (ECS100) that names a pending command ends that command as a failed Response.
* ``Invalid``: anything else, with the reason in one line. State is not changed by an Invalid.

Counters: each (originator, device) pair has its own strictly increasing originator counter; a
counter is never below ``counter_floor`` (give a process that starts without state a floor from
the wall clock, ``wallclock_counter_floor()``, so it starts above any earlier process).
``state()`` / ``from_state()`` carry the counters (and the last alert counter per device) as plain
JSON data across a checkpoint; pending commands are not carried (their responses, if they come
after a resume, are refused as uncorrelated).

Keys: the remote parties' key pairs (smets_fleet.identity) and a ``DeviceDirectory`` giving each
device's public keys, derived on first use from the seed. ECDH shared secrets between a party and
a device are static, so they are cached: a command then costs one ECDSA signature (critical) and a
KDF hash and GMAC.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from smets.security import protect
from smets.security import utrn as ut
from smets.security.kdf import MODE_ENCRYPTION, derive_key
from smets.wire import alert_codes as ac
from smets.wire import der, dlms, gbz
from smets.wire import dlms_axdr as ax
from smets.wire import frame as wire
from smets.wire import message_codes as mc
from smets.wire.errors import DecodeError
from smets.wire.payload import KIND_DER, KIND_DLMS, payload_kind
from smets_fleet import commands, identity, srv
from smets_fleet.responses import Decoded, Decoder

STATE_VERSION = 1
MC_NOT_SUPPORTED = 0x0120  # ECS100: "command not supported" alert, naming the refused command
CACHE_SIZE = 1 << 20  # shared secrets and device keys kept (a fleet of ~250,000 premises)


def wallclock_counter_floor() -> int:
    """Microseconds since 1970: a counter floor above anything an earlier process could have sent
    (unless it sent more than a million commands a second to one device)."""
    return time.time_ns() // 1000


class _Bounded(dict):  # type: ignore[type-arg]
    """A dict that forgets its oldest entry when full."""

    def __init__(self, size: int) -> None:
        super().__init__()
        self.size = size

    def put(self, key: Any, value: Any) -> None:
        if len(self) >= self.size:
            del self[next(iter(self))]
        self[key] = value


class StaticSecrets:
    """One party's KA private key with its ECDH shared secrets (Z) cached per peer public key;
    smets.security.kdf.derive_key takes it in place of the scalar."""

    def __init__(self, provider: Any, scalar: bytes, size: int = CACHE_SIZE) -> None:
        self.provider = provider
        self.scalar = scalar
        self._z = _Bounded(size)

    def shared(self, peer_public: bytes) -> bytes:
        z = self._z.get(peer_public)
        if z is None:
            z = self.provider.ecdh(self.scalar, peer_public)
            self._z.put(bytes(peer_public), z)
        return z


@dataclass(frozen=True)
class DeviceKeys:
    eui: bytes
    kind: str
    ds_public: bytes
    ka_public: bytes
    chf: bytes  # the Comms Hub its commands go through (the MQTT topic)


_KIND_BY_CODE = {code: kind for kind, code in identity.DEVICE_KIND_CODES.items()}


class DeviceDirectory:
    """Device EUI -> DeviceKeys: the fleet's devices derived from the seed on first use (from the
    kind and premises number in the EUI), and any device added explicitly."""

    def __init__(
        self, provider: Any, seed: str | None = identity.DEFAULT_SEED, size: int = CACHE_SIZE
    ) -> None:
        self.provider = provider
        self.seed = seed
        self._keys = _Bounded(size)
        self._added: dict[bytes, DeviceKeys] = {}

    def add(self, keys: DeviceKeys) -> None:
        self._added[bytes(keys.eui)] = keys

    def get(self, eui: bytes) -> DeviceKeys | None:
        eui = bytes(eui)
        k = self._added.get(eui) or self._keys.get(eui)
        if k is not None or self.seed is None:
            return k
        number = identity.premises_number(eui)
        kind = _KIND_BY_CODE.get(eui[2]) if number is not None else None
        if number is None or kind is None:
            return None
        d = identity.device(self.provider, self.seed, kind, number)
        k = DeviceKeys(eui, kind, d.ds.public, d.ka.public, identity.device_eui("chf", number))
        self._keys.put(eui, k)
        return k


@dataclass
class Pending:
    """A command sent and not yet answered."""

    sr: str
    use_case: str
    message_code: int
    critical: bool
    device: bytes
    kind: str
    chf: bytes
    originator: bytes
    counter: int
    params: dict[str, Any]
    notes: dict[str, Any]
    sent_at: float
    deadline: float | None
    decode: Decoder = field(repr=False)

    @property
    def key(self) -> tuple[bytes, int]:
        return (self.device, self.counter)


@dataclass
class Alert:
    device: bytes
    counter: int
    message_code: int
    code: int | None  # the alert code (0x8F66...), None when the payload names none
    refers_to: tuple[int, int] | None = None  # (message code, counter) of the command it is about
    frame: wire.Frame | None = field(default=None, repr=False)

    @property
    def name(self) -> str:
        return ac.name(self.code) if self.code is not None else mc.use_case_name(self.message_code)

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "type": "alert",
            "device": self.device.hex(),
            "counter": self.counter,
            "message_code": "0x%04X" % self.message_code,
            "use_case": mc.use_case_name(self.message_code),
            "alert_code": "0x%04X" % self.code if self.code is not None else None,
            "alert": self.name,
        }
        if self.refers_to is not None:
            out["refers_to"] = {"message_code": "0x%04X" % self.refers_to[0], "counter": self.refers_to[1]}
        return out


@dataclass
class Response:
    pending: Pending
    ok: bool
    error: str | None
    values: dict[str, Any]
    received_at: float
    alert: Alert | None = None  # the ECS100 alert that ended the command, if that is what did

    def to_json(self) -> dict[str, Any]:
        p = self.pending
        return {
            "type": "response",
            "ok": self.ok,
            "error": self.error,
            "sr": p.sr,
            "use_case": p.use_case,
            "message_code": "0x%04X" % p.message_code,
            "critical": p.critical,
            "device": p.device.hex(),
            "kind": p.kind,
            "counter": p.counter,
            "values": _plain(self.values),
            "latency": round(self.received_at - p.sent_at, 6),
        }


@dataclass
class Invalid:
    reason: str
    device: bytes | None = None
    counter: int | None = None
    message_code: int | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "type": "invalid",
            "reason": self.reason,
            "device": self.device.hex() if self.device else None,
            "counter": self.counter,
            "message_code": "0x%04X" % self.message_code if self.message_code is not None else None,
        }


Result = Response | Alert | Invalid


def _plain(v: Any) -> Any:
    if isinstance(v, (bytes, bytearray)):
        return bytes(v).hex()
    if isinstance(v, dict):
        return {k: _plain(x) for k, x in v.items()}
    if isinstance(v, (list, tuple)):
        return [_plain(x) for x in v]
    return v


class HeadEnd:
    def __init__(
        self,
        provider: Any,
        parties: Mapping[str, identity.Party],
        devices: DeviceDirectory,
        counter_floor: int = 0,
    ) -> None:
        self.provider = provider
        self.parties = dict(parties)
        self.devices = devices
        self.counter_floor = counter_floor
        self.counters: dict[tuple[bytes, bytes], int] = {}
        self.alert_counters: dict[bytes, int] = {}
        self.pending: dict[tuple[bytes, int], Pending] = {}
        self._by_eui = {p.eui: p for p in self.parties.values()}
        self._ka = {p.eui: StaticSecrets(provider, p.ka.private) for p in self.parties.values()}
        supplier = self.parties["supplier"]
        assert supplier.ka_prepayment is not None
        self._prepayment = StaticSecrets(provider, supplier.ka_prepayment.private)
        self._acb = self.parties["acb"]

    @classmethod
    def for_seed(
        cls, provider: Any, seed: str = identity.DEFAULT_SEED, counter_floor: int = 0, state: Any = None
    ) -> HeadEnd:
        he = cls(provider, identity.parties(provider, seed), DeviceDirectory(provider, seed), counter_floor)
        if state is not None:
            he.load_state(state)
        return he

    # -- counters and state ------------------------------------------------------------------------
    def _next_counter(self, originator: bytes, device: bytes) -> int:
        last = self.counters.get((originator, device), 0)
        return max(last + 1, self.counter_floor)

    def state(self) -> dict[str, Any]:
        """The counters as plain JSON-able data."""
        return {
            "version": STATE_VERSION,
            "counters": {"%s:%s" % (o.hex(), d.hex()): n for (o, d), n in self.counters.items()},
            "alert_counters": {d.hex(): n for d, n in self.alert_counters.items()},
        }

    def load_state(self, state: Mapping[str, Any]) -> None:
        if state.get("version") != STATE_VERSION:
            raise ValueError("head-end state version %r, expected %d" % (state.get("version"), STATE_VERSION))
        for key, n in state.get("counters", {}).items():
            o, d = key.split(":")
            self.counters[(bytes.fromhex(o), bytes.fromhex(d))] = int(n)
        for d, n in state.get("alert_counters", {}).items():
            self.alert_counters[bytes.fromhex(d)] = int(n)

    @classmethod
    def from_state(
        cls,
        provider: Any,
        parties: Mapping[str, identity.Party],
        devices: DeviceDirectory,
        state: Mapping[str, Any],
        counter_floor: int = 0,
    ) -> HeadEnd:
        he = cls(provider, parties, devices, counter_floor)
        he.load_state(state)
        return he

    # -- commands ----------------------------------------------------------------------------------
    def device(self, eui: bytes) -> DeviceKeys:
        keys = self.devices.get(eui)
        if keys is None:
            raise srv.SrError("unknown device %s" % bytes(eui).hex())
        return keys

    def build(
        self,
        sr: str,
        device: bytes,
        params: Mapping[str, Any] | None = None,
        now: float = 0.0,
        timeout: float | None = None,
    ) -> tuple[bytes, Pending]:
        """The protected command frame for service request `sr` to `device`, and its Pending.
        Raises srv.SrError (one line) for an unknown request, device or a bad parameter."""
        keys = self.device(device)
        row = srv.find(sr, keys.kind)
        p = srv.check_params(row, params or {})
        use_case = row.use_case(p)
        code = mc.code_for(use_case)
        critical = srv.critical(code)
        originator = self.parties[row.originator]
        counter = self._next_counter(originator.eui, keys.eui)
        b = commands.Build(counter, originator.eui, keys.eui, self._utrn_maker(originator.eui, keys, counter))
        try:
            payload = row.build(b, p)
        except commands.ParamError as exc:
            raise srv.SrError("%s: %s" % (row.name, exc)) from None
        f = wire.Frame(wire.CRA_COMMAND, counter, originator.eui, keys.eui, code, payload, signature=b"")
        if critical:
            protect.sign(self.provider, f, originator.ds.private)
        data = protect.apply_mac(self.provider, f, self._ka[self._acb.eui], keys.ka_public)
        self.counters[(originator.eui, keys.eui)] = counter
        pending = Pending(
            row.name,
            use_case,
            code,
            critical,
            keys.eui,
            keys.kind,
            keys.chf,
            originator.eui,
            counter,
            p,
            b.notes,
            now,
            None if timeout is None else now + timeout,
            row.decode,
        )
        self.pending[pending.key] = pending
        return data, pending

    def _utrn_maker(self, supplier: bytes, keys: DeviceKeys, counter: int) -> Any:
        def make(value: int, value_class: int) -> str:
            key = ut.utrn_key(self.provider, self._prepayment, keys.ka_public, supplier, keys.eui, counter)
            return ut.generate_utrn(self.provider, key, counter, value, value_class, supplier, keys.eui)

        return make

    def forget(self, pending: Pending) -> None:
        """Stop waiting for a command's response (it timed out for good)."""
        self.pending.pop(pending.key, None)

    # -- frames from devices -----------------------------------------------------------------------
    def receive(self, data: bytes, now: float = 0.0) -> Result:
        try:
            f = wire.parse(data)
        except (DecodeError, ValueError) as exc:
            return Invalid("malformed frame: %s" % exc)
        dev = self.devices.get(f.originator)
        if f.cra == wire.CRA_COMMAND:
            return Invalid("a command, not a response or an alert", f.originator, f.counter, f.message_code)
        if dev is None:
            return Invalid("from an unknown device", f.originator, f.counter, f.message_code)
        if f.recipient not in self._by_eui:
            return Invalid("addressed to no party of this head end", f.originator, f.counter, f.message_code)
        if f.cra == wire.CRA_RESPONSE:
            return self._response(f, dev, now)
        return self._alert(f, dev, now)

    def _authentic(self, f: wire.Frame, dev: DeviceKeys, signed: bool) -> str | None:
        """None when the frame carries the protection it must and it verifies; else why not."""
        if signed:
            if f.mac is not None:
                return "a MAC where the device must sign (critical)"
            if not protect.verify_signature(self.provider, f, dev.ds_public):
                return "signature does not verify with the device's DS key"
            return None
        if f.signature:
            return "a signature where the device must MAC (non-critical)"
        if not protect.verify_mac(self.provider, f, self._ka[f.recipient], dev.ka_public):
            return "MAC does not verify"
        return None

    def _response(self, f: wire.Frame, dev: DeviceKeys, now: float) -> Result:
        pending = self.pending.get((dev.eui, f.counter))
        if pending is None:
            return Invalid(
                "no command pending for this device and counter (late, duplicate or replayed response)",
                dev.eui,
                f.counter,
                f.message_code,
            )
        if f.message_code != pending.message_code:
            return Invalid(
                "message code 0x%04X answers a 0x%04X command" % (f.message_code, pending.message_code),
                dev.eui,
                f.counter,
                f.message_code,
            )
        if f.recipient != pending.originator:
            return Invalid("answers another party than the command's", dev.eui, f.counter, f.message_code)
        why = self._authentic(f, dev, pending.critical)
        if why is not None:
            return Invalid(why, dev.eui, f.counter, f.message_code)
        del self.pending[pending.key]
        try:
            d = pending.decode(f, self._decrypter(dev))
        except (DecodeError, ValueError, IndexError, KeyError, TypeError) as exc:
            d = Decoded(False, "response payload does not decode: %s" % exc)
        return Response(pending, d.ok, d.error, dict(pending.notes, **d.values), now)

    def _decrypter(self, dev: DeviceKeys) -> Any:
        def decrypt(f: wire.Frame, content: bytes) -> bytes | None:
            originator, counter, party = protect.encryption_titles(f)
            own = self._ka.get(party)
            if own is None:
                return None
            key = derive_key(self.provider, own, dev.ka_public, MODE_ENCRYPTION, originator, counter, party)
            return protect.decrypt_content(self.provider, key, f.originator, content)

        return decrypt

    def _alert(self, f: wire.Frame, dev: DeviceKeys, now: float) -> Result:
        row = mc.lookup(f.message_code)
        if row is None or row[3] not in (mc.ALERT_CRITICAL, mc.ALERT_NON_CRITICAL):
            return Invalid("message code 0x%04X is not an alert" % f.message_code, dev.eui, f.counter)
        why = self._authentic(f, dev, row[3] == mc.ALERT_CRITICAL)
        if why is not None:
            return Invalid(why, dev.eui, f.counter, f.message_code)
        last = self.alert_counters.get(dev.eui)
        if last is not None and f.counter <= last:
            return Invalid(
                "alert counter not above the last (replayed alert)", dev.eui, f.counter, f.message_code
            )
        self.alert_counters[dev.eui] = f.counter
        try:
            code, refers = alert_content(f)
        except (DecodeError, ValueError, IndexError, TypeError):
            code, refers = None, None
        alert = Alert(dev.eui, f.counter, f.message_code, code, refers, f)
        if f.message_code == MC_NOT_SUPPORTED and refers is not None:
            pending = self.pending.get((dev.eui, refers[1]))
            if pending is not None and pending.message_code == refers[0]:
                del self.pending[pending.key]
                return Response(
                    pending, False, "the device does not support %s" % pending.use_case, {}, now, alert
                )
        return alert


def alert_content(f: wire.Frame) -> tuple[int | None, tuple[int, int] | None]:
    """(alert code, (message code, counter) of the command it is about, or None) of an alert."""
    kind = payload_kind(f.payload)
    if kind == KIND_DLMS:
        note = dlms.parse_payload(f.payload)
        if not isinstance(note, dlms.DataNotification):
            return None, None
        code = note.alert_code()
        members = note.body[1] if note.body[0] == ax.T_STRUCTURE else []
        refers = None
        for tag, v in members[2:]:
            if tag == ax.T_OCTET_STRING and len(v) == 10:  # ECS100: message code, counter
                refers = ((v[0] << 8) | v[1], int.from_bytes(v[2:10], "big"))
            elif tag == ax.T_OCTET_STRING and len(v) == 19:  # future-dated execution
                unpacked = dlms.unpack_future_dated(v)
                refers = (unpacked[0], unpacked[1])
        return code, refers
    if kind == KIND_DER:
        node = der.parse_payload(f.payload)
        return der.to_int(node[0]), None
    g = gbz.parse_payload(f.payload, alert=True)
    refers = None
    body = g.alert_body
    if isinstance(body, gbz.FutureDatedAlert):
        refers = (body.message_code, body.originator_counter)
    elif isinstance(body, (bytes, bytearray)) and len(body) == 10:
        refers = ((body[0] << 8) | body[1], int.from_bytes(body[2:10], "big"))
    return g.alert_code, refers
