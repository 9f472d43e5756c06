"""The head end against live premises (smets.build.build_premises, no transport): every service
request of the catalogue is answered successfully and does what it says (the expected values are
computed here from the parameters sent, or read from the device's own state), and the validation
catches what it must: a tampered MAC or signature, a wrong counter, a response from the wrong
device or to the wrong party, a replayed response or alert, an unsupported command.
"""

from __future__ import annotations

import hashlib
import json

import pytest

from smets.behaviour.debt import PDR, TDR1, TDR2
from smets.build import build_premises
from smets.security import protect
from smets.security import utrn as ut
from smets.timeutil import to_seconds
from smets.usecases import esme_model as em
from smets.wire import dlms_axdr as ax
from smets.wire import frame as wire
from smets.wire import message_codes as mc
from smets_fleet import commands, headend, identity, srv
from smets_fleet.crypto_host import HostCrypto

P = HostCrypto()
SEED = "headend-test"
NUMBER = 42
NOW = to_seconds(2025, 3, 1, 12)
PENCE = 1000  # GBCS money unit: 10^-5 GBP


class Rig:
    """One premises and a head end for the same seed; frames go straight to premises.receive."""

    def __init__(self, counter_floor: int = 1000) -> None:
        self.cfg = identity.premises_config(P, NUMBER, SEED)
        self.premises = build_premises(self.cfg, P, NOW)
        self.he = headend.HeadEnd.for_seed(P, SEED, counter_floor)
        self.now = NOW
        self.alerts: list[headend.Alert] = []

    def eui(self, kind: str) -> bytes:
        return identity.device_eui(kind, NUMBER)

    def device(self, kind: str):
        return getattr(self.premises, kind)

    def frames(self, sr: str, kind: str, **params) -> tuple[list[bytes], headend.Pending]:
        """The command's outputs (the GSME's at its next wake-up) without giving them to the head end."""
        frame, pending = self.he.build(sr, self.eui(kind), params, self.now)
        out = self.premises.receive(frame, self.now)
        if kind == "gsme":
            self.now = self.premises.next_wake
            out += self.premises.tick(self.now)
        return out, pending

    def send(self, sr: str, kind: str, **params) -> headend.Response:
        out, pending = self.frames(sr, kind, **params)
        responses = []
        for data in out:
            r = self.he.receive(data, self.now)
            assert not isinstance(r, headend.Invalid), r
            if isinstance(r, headend.Response):
                responses.append(r)
            else:
                self.alerts.append(r)
        assert len(responses) == 1, (sr, kind, out)
        assert responses[0].pending is pending
        return responses[0]

    def ok(self, sr: str, kind: str, **params) -> dict:
        r = self.send(sr, kind, **params)
        assert r.ok, (sr, kind, r.error)
        return r.values

    def balance(self, kind: str) -> int:
        return self.ok("read-balance", kind)["balance"]


# ---- every service request, end to end --------------------------------------------------------


def test_top_up_esme_adds_the_utrn_value():
    rig = Rig()
    before = rig.balance("esme")
    values = rig.ok("top-up", "esme", amount=1250)
    # the UTRN is genuine for this device and counter, and worth 1250 pence
    u = ut.decode_utrn(values["utrn"])
    assert u.value_class == ut.VALUE_CLASS_PENNIES and u.value == 1250
    assert rig.balance("esme") == before + 1250 * PENCE
    assert rig.device("esme").meter.account.balance == before + 1250 * PENCE
    # whole pounds beyond 8191 pence
    rig.ok("top-up", "esme", amount=20000)
    assert rig.balance("esme") == before + 21250 * PENCE


def test_top_up_gsme_in_prepayment_adds_the_utrn_value():
    rig = Rig()
    rig.ok("payment-mode", "gsme", mode="prepayment")
    before = rig.balance("gsme")
    values = rig.ok("top-up", "gsme", amount=700)
    assert values["credited"] == 700 * PENCE and values["balance"] == before + 700 * PENCE
    assert rig.balance("gsme") == before + 700 * PENCE
    # the GPF mirrors the GSME at its wake-up: its copy of the balance agrees
    assert rig.balance("gpf") == before + 700 * PENCE
    rig.ok("top-up", "gsme", amount=300)
    log = rig.ok("read-top-up-log", "gsme")["top_ups"]
    assert [row["amount"] for row in log] == [300 * PENCE, 700 * PENCE]  # most recent first
    assert ut.decode_utrn(log[0]["utrn"]).value == 300


def test_adjust_balance_both_meters():
    rig = Rig()
    rig.ok("payment-mode", "gsme", mode="prepayment")
    for kind in ("esme", "gsme"):
        start = rig.balance(kind)
        rig.ok("adjust-balance", kind, amount=500)
        rig.ok("adjust-balance", kind, amount=-120)
        assert rig.balance(kind) == start + 380 * PENCE


def test_update_debt_esme_then_reset_each_register():
    rig = Rig()
    rig.ok(
        "update-debt", "esme", tdr1=100, tdr2=200, pdr=300, tdr1_rate=5, tdr2_period="hourly", pdr_percent=25
    )
    regs = rig.ok("read-registers", "esme")
    assert (regs["tdr1"], regs["tdr2"], regs["pdr"]) == (100 * PENCE, 200 * PENCE, 300 * PENCE)
    debt = rig.device("esme").meter.account.debt
    assert debt.rate[TDR1] == 5 and debt.scale[TDR1] == -2  # 5 pence per period
    assert debt.period[TDR1] == 86400 and debt.period[TDR2] == 3600
    assert debt.percent == 2500  # hundredths of a percent
    rig.ok("update-debt", "esme", pdr=-50)
    assert rig.ok("read-registers", "esme")["pdr"] == 250 * PENCE
    rig.ok("reset-debt", "esme", register="tdr2")
    regs = rig.ok("read-registers", "esme")
    assert (regs["tdr1"], regs["tdr2"], regs["pdr"]) == (100 * PENCE, 0, 250 * PENCE)
    rig.ok("reset-debt", "esme", register="tdr1")
    rig.ok("reset-debt", "esme", register="pdr")
    assert list(rig.device("esme").meter.account.debt.regs) == [0, 0, 0]


def test_update_debt_gsme_then_reset_each_register():
    rig = Rig()
    rig.ok("update-debt", "gsme", tdr1=10, tdr2=20, pdr=30, tdr2_rate=2, pdr_percent=50)
    regs = rig.ok("read-registers", "gsme")  # an encrypted read, decrypted by the head end
    assert (regs["tdr1"], regs["tdr2"], regs["pdr"]) == (10 * PENCE, 20 * PENCE, 30 * PENCE)
    debt = rig.device("gsme").meter.account.debt
    assert debt.rate[TDR2] == 2 * PENCE and debt.percent == 5000
    rig.ok("reset-debt", "gsme", register="pdr")
    assert rig.device("gsme").meter.account.debt.regs[PDR] == 0
    assert rig.ok("read-registers", "gsme")["tdr1"] == 10 * PENCE
    with pytest.raises(srv.SrError, match=r"tdr1=-1 is out of range \(0\.\."):
        rig.he.build("update-debt", rig.eui("gsme"), {"tdr1": -1})


def test_set_tariff_esme_stores_and_activates_the_price():
    rig = Rig()
    rig.ok("set-tariff", "esme", price=28512, standing_charge=61230)
    dev = rig.device("esme")
    # activated now: the active unit charge (attribute 5) is the one sent. 28512 milli-pence fits
    # a DLMS long at price scale -5; 61230 needs scale -4 (6123 x 10^-4 GBP).
    active = dev.read(em.CHARGE, commands.PRICE_MATRIX, 5)[1]
    assert active[1][0] == (ax.T_STRUCTURE, [(ax.T_INTEGER, 3), (ax.T_INTEGER, -5)])
    assert active[1][2][1][0][1][1] == (ax.T_LONG, 28512)
    standing = dev.read(em.CHARGE, commands.STANDING_CHARGE, 5)[1]
    assert standing[1][0][1][1] == (ax.T_INTEGER, -4) and standing[1][2][1][0][1][1] == (ax.T_LONG, 6123)
    with pytest.raises(srv.SrError, match="does not fit"):
        rig.he.build("set-tariff", rig.eui("esme"), {"price": 32768 * 10 + 1})


@pytest.mark.parametrize("price", [28512, 61230])  # milli-pence per kWh: price scale -5, then -4
def test_set_tariff_esme_prices_consumption(price):
    rig = Rig()
    rig.ok("set-tariff", "esme", price=price, standing_charge=0)
    dev = rig.device("esme")
    before = dev.meter.account.balance
    dev.consume(rig.now + 60, 2000)  # 2 kWh in the one rate of the tariff
    assert before - dev.meter.account.balance == 2 * price


def test_set_tariff_gsme_every_component_accepted_and_prices_gas():
    rig = Rig()
    r = rig.send("set-tariff", "gsme", price=9600, standing_charge=22465)
    assert r.ok and r.pending.use_case == "GCS01a" and r.pending.critical
    # the GSME prices with it (credit mode: charges go to its bill to date), in milli-pence per kWh
    acc = rig.device("gsme").meter.account
    before = acc.bill_to_date
    rig.device("gsme").consume(rig.now + 60, 2000)  # 2 kWh on tier 1
    assert acc.bill_to_date - before == 2 * 9600
    midnight = (rig.now // 86400 + 1) * 86400
    rig.device("gsme").tick(midnight)
    assert acc.bill_to_date - before == 2 * 9600 + 22465  # the standing charge of the day that begins


def test_payment_mode_both_meters():
    rig = Rig()
    for kind in ("esme", "gsme"):
        acc = rig.device(kind).meter.account
        assert not acc.prepayment()
        rig.ok("payment-mode", kind, mode="prepayment", disablement_threshold=0)
        assert acc.prepayment()
        rig.ok("payment-mode", kind, mode="credit")
        assert not acc.prepayment()


def test_payment_mode_future_dated_raises_a_future_dated_alert():
    rig = Rig()
    at = NOW + 3600
    rig.ok("payment-mode", "esme", mode="prepayment", at="2025-03-01T13:00:00Z")
    dev = rig.device("esme")
    assert not dev.meter.account.prepayment()
    alerts = [rig.he.receive(a, at) for a in rig.premises.tick(at)]
    assert dev.meter.account.prepayment()
    fd = [a for a in alerts if isinstance(a, headend.Alert) and a.code == 0x8F66]
    assert fd and fd[0].refers_to is not None and fd[0].refers_to[0] == mc.code_for("ECS03")


def test_prepay_config_sets_the_thresholds():
    rig = Rig()
    params = dict(low_credit=250, ec_limit=600, ec_threshold=150, max_credit=20000, debt_cap=2000)
    rig.ok("prepay-config", "esme", max_meter_balance=40000, cap_period=86400, **params)
    rig.ok("prepay-config", "gsme", **params)
    for kind in ("esme", "gsme"):
        a = rig.device(kind).meter.account
        assert a.thr.low_credit == 250 * PENCE and a.thr.max_credit == 20000 * PENCE
        assert (a.ec.limit, a.ec.threshold) == (600 * PENCE, 150 * PENCE)
        assert a.debt.cap == 2000 * PENCE
    assert rig.device("esme").meter.account.thr.max_meter_balance == 40000 * PENCE
    assert rig.device("esme").meter.account.debt.cap_period == 86400
    with pytest.raises(srv.SrError, match="whole pounds"):
        rig.he.build("prepay-config", rig.eui("esme"), {"debt_cap": 150})


def test_activate_emergency_credit():
    rig = Rig()
    rig.ok("payment-mode", "esme", mode="prepayment")
    rig.ok("prepay-config", "esme", ec_limit=500, ec_threshold=100)
    # the balance (0) is below the EC threshold: EC is available and is activated
    rig.ok("activate-ec", "esme")
    assert rig.ok("read-registers", "esme")["ec_balance"] == 500 * PENCE


def test_activate_emergency_credit_in_credit_mode_is_a_device_error():
    rig = Rig()
    r = rig.send("activate-ec", "esme")
    assert not r.ok and "other-reason" in r.error


def test_supply_disable_arm_enable():
    rig = Rig()
    assert rig.ok("read-supply", "esme")["supply"] == "enabled"
    rig.ok("disable-supply", "esme")
    assert rig.ok("read-supply", "esme")["supply"] == "disabled"
    rig.ok("arm-supply", "esme")
    assert rig.ok("read-supply", "esme")["supply"] == "armed"
    rig.ok("enable-supply", "esme")
    assert rig.ok("read-supply", "esme")["supply"] == "enabled"
    assert rig.ok("disable-supply", "gsme")["supply"] == "disabled"
    assert rig.ok("read-supply", "gsme")["supply"] == "disabled"
    assert rig.ok("arm-supply", "gsme")["supply"] == "armed"
    assert rig.ok("read-supply", "gsme")["supply"] == "armed"


def test_read_security_log_shows_a_refused_command():
    rig = Rig()
    assert rig.ok("read-log", "gsme", log="security")["events"] == []
    # a command whose MAC was damaged on the way: the GSME logs 0x8F3D (authentication failure)
    frame, _pending = rig.he.build("read-balance", rig.eui("gsme"))
    bad = bytearray(frame)
    bad[-1] ^= 0x01
    rig.premises.receive(bytes(bad), rig.now)
    rig.now = rig.premises.next_wake
    for data in rig.premises.tick(rig.now):
        rig.he.receive(data, rig.now)
    events = rig.ok("read-log", "gsme", log="security")["events"]
    assert [e["event"] for e in events] == [0x8F3D]


def test_read_event_log():
    rig = Rig()
    values = rig.ok("read-log", "gsme")
    assert isinstance(values["events"], list)
    assert values["events"] == [
        {"time": t, "event": code, "data": ""} for t, code, _d in rig.device("gsme").meter.event_log.entries()
    ]


def _image(version: int) -> bytes:
    return commands.ota_image(version, b"firmware body %d" % version * 40)


@pytest.mark.parametrize("kind", ["esme", "gsme"])
def test_activate_firmware(kind):
    rig = Rig()
    image = _image(0x01020304)
    dev = rig.device(kind)
    dev.meter.receive_firmware(image, rig.now)  # distributed to the meter beforehand
    # the hash CS06 names: SHA-256 of the image after its 56-octet OTA header
    image_hash = hashlib.sha256(image[56:]).hexdigest()
    assert commands.manufacturer_image_hash(image).hex() == image_hash
    wrong = rig.send("activate-firmware", kind, image_hash="00" * 32)
    assert not wrong.ok and wrong.values["outcome"] == "image hash mismatch"
    values = rig.ok("activate-firmware", kind, image_hash=image_hash)
    assert values == {"outcome": "success", "version": "01020304"}
    assert dev.meter.firmware.running_version == 0x01020304


def test_every_catalogue_row_is_tested_here():
    """Each (service request, device kind) of the catalogue is sent by a test in this file."""
    covered = """
        set-tariff/esme set-tariff/gsme adjust-balance/esme adjust-balance/gsme payment-mode/esme
        payment-mode/gsme prepay-config/esme prepay-config/gsme top-up/esme top-up/gsme update-debt/esme
        update-debt/gsme reset-debt/esme reset-debt/gsme activate-ec/esme read-registers/esme
        read-registers/gsme read-top-up-log/gsme read-balance/esme read-balance/gsme read-balance/gpf
        read-log/gsme enable-supply/esme disable-supply/esme disable-supply/gsme arm-supply/esme
        arm-supply/gsme read-supply/esme read-supply/gsme activate-firmware/esme activate-firmware/gsme
    """.split()
    assert {(row.name, row.kind) for row in srv.CATALOGUE} == {tuple(c.split("/")) for c in covered}


# ---- validation ------------------------------------------------------------------------------


def _reprotect(data: bytes, key_holder: identity.Party, peer_ka: bytes, **changes) -> bytes:
    """A response re-MACed by a device whose keys we hold, with some header fields changed."""
    f = wire.parse(data)
    for k, v in changes.items():
        setattr(f, k, v)
    wire.invalidate(f)
    return protect.apply_mac(P, f, key_holder.ka.private, peer_ka)


def _party(name: str) -> identity.Party:
    return identity.party(P, SEED, name)


def _device(kind: str) -> identity.Party:
    return identity.device(P, SEED, kind, NUMBER)


def test_tampered_mac_is_refused_and_the_genuine_response_still_counts():
    rig = Rig()
    out, pending = rig.frames("read-balance", "esme")
    bad = bytearray(out[0])
    bad[-3] ^= 0x40
    r = rig.he.receive(bytes(bad))
    assert isinstance(r, headend.Invalid) and "MAC" in r.reason
    assert pending.key in rig.he.pending
    good = rig.he.receive(out[0])
    assert isinstance(good, headend.Response) and good.ok


def test_tampered_signature_on_a_critical_response_is_refused():
    rig = Rig()
    out, pending = rig.frames("adjust-balance", "esme", amount=1)
    f = wire.parse(out[0])
    assert pending.critical and f.signature and f.mac is None
    bad = bytearray(out[0])
    bad[-5] ^= 0x01  # inside the 64-octet signature at the end
    r = rig.he.receive(bytes(bad))
    assert isinstance(r, headend.Invalid) and "signature" in r.reason
    # a MACed answer to a critical command is refused too, even with a good MAC
    maced = _reprotect(out[0], _device("esme"), _party("supplier").ka.public, signature=b"")
    r = rig.he.receive(maced)
    assert isinstance(r, headend.Invalid) and "must sign" in r.reason
    assert isinstance(rig.he.receive(out[0]), headend.Response)


def test_wrong_counter_is_not_correlated():
    rig = Rig()
    out, pending = rig.frames("read-balance", "esme")
    forged = _reprotect(out[0], _device("esme"), _party("supplier").ka.public, counter=pending.counter + 1)
    r = rig.he.receive(forged)
    assert isinstance(r, headend.Invalid) and "no command pending" in r.reason
    assert pending.key in rig.he.pending


def test_response_from_the_wrong_device():
    rig = Rig()
    esme_out, esme_pending = rig.frames("read-balance", "esme")
    gsme_frame, gsme_pending = rig.he.build("read-balance", rig.eui("gsme"))
    assert esme_pending.counter == gsme_pending.counter == 1000  # each pair starts at the floor
    # the ESME's answer, rewritten and properly MACed as coming from the GSME: the GSME's pending
    # command has this counter, but it is a GCS60a, not the ECS82 this answers
    forged = _reprotect(
        esme_out[0], _device("gsme"), _party("supplier").ka.public, originator=rig.eui("gsme")
    )
    r = rig.he.receive(forged)
    assert isinstance(r, headend.Invalid) and "answers a 0x012A command" in r.reason
    # rewritten as from the GSME but still MACed with the ESME's key: not authentic
    f = wire.parse(esme_out[0])
    f.originator = rig.eui("gsme")
    wire.invalidate(f)
    r = rig.he.receive(wire.build(f))
    assert isinstance(r, headend.Invalid)
    assert esme_pending.key in rig.he.pending and gsme_pending.key in rig.he.pending


def test_response_to_another_party_is_refused():
    rig = Rig()
    out, _pending = rig.frames("read-balance", "esme")
    no = _party("network_operator")
    forged = _reprotect(out[0], _device("esme"), no.ka.public, recipient=no.eui)
    r = rig.he.receive(forged)
    assert isinstance(r, headend.Invalid) and "another party" in r.reason


def test_replayed_response_and_alert():
    rig = Rig()
    out, _pending = rig.frames("read-balance", "esme")
    assert isinstance(rig.he.receive(out[0]), headend.Response)
    r = rig.he.receive(out[0])
    assert isinstance(r, headend.Invalid) and "replayed" in r.reason
    # an alert (the future-dated execution of a payment mode change) delivered twice
    rig.ok("payment-mode", "esme", mode="prepayment", at="2025-03-01T12:30:00Z")
    alerts = rig.premises.tick(NOW + 1800)
    assert alerts
    assert isinstance(rig.he.receive(alerts[0]), headend.Alert)
    r = rig.he.receive(alerts[0])
    assert isinstance(r, headend.Invalid) and "replayed alert" in r.reason


def test_garbage_and_commands_are_invalid():
    rig = Rig()
    frame, _ = rig.he.build("read-balance", rig.eui("esme"))
    assert "malformed" in rig.he.receive(b"\xdd\x00").reason
    assert "command" in rig.he.receive(frame).reason


def test_not_supported_alert_ends_the_command_as_a_failure():
    rig = Rig()
    dev = rig.device("esme")
    dev.inject_fault(mc.code_for("ECS09"))  # this meter does not support activating EC
    r = rig.send("activate-ec", "esme")
    assert not r.ok and "does not support ECS09" in r.error
    assert r.alert is not None and r.alert.message_code == 0x0120
    assert r.pending.key not in rig.he.pending


# ---- counters, state, bad input ------------------------------------------------------------------


def test_counters_rise_per_party_and_device_and_survive_state():
    rig = Rig(counter_floor=1)
    counters = [rig.he.build("read-balance", rig.eui("esme"))[1].counter for _ in range(3)]
    assert counters == [1, 2, 3]
    assert rig.he.build("read-balance", rig.eui("gsme"))[1].counter == 1  # another device, its own
    rig.ok("adjust-balance", "esme", amount=10)  # counter 4, accepted (replay protected)
    state = json.loads(json.dumps(rig.he.state()))
    # a head end that forgot its counters starts again at 1: the ESME refuses it as a replay
    fresh = headend.HeadEnd.for_seed(P, SEED, 1)
    frame, _ = fresh.build("adjust-balance", rig.eui("esme"), {"amount": 10})
    assert rig.premises.receive(frame, rig.now) == []
    assert rig.device("esme").last_gate == "replayed counter"
    # restored from the state it carries on
    restored = headend.HeadEnd.for_seed(P, SEED, 1, state=state)
    frame, pending = restored.build("adjust-balance", rig.eui("esme"), {"amount": 10})
    assert pending.counter == 5
    out = rig.premises.receive(frame, rig.now)
    assert isinstance(restored.receive(out[0]), headend.Response)
    assert rig.device("esme").meter.account.balance == 20 * PENCE


def test_wallclock_floor_is_above_counters_already_used():
    he = headend.HeadEnd.for_seed(P, SEED, headend.wallclock_counter_floor())
    c = he.build("read-balance", identity.device_eui("esme", 1))[1].counter
    assert c > 1_600_000_000 * 1_000_000  # microseconds since 1970, after September 2020


def test_deadline_and_forget():
    rig = Rig()
    frame, pending = rig.he.build("read-balance", rig.eui("esme"), now=10.0, timeout=2.5)
    assert pending.deadline == 12.5 and pending.sent_at == 10.0
    rig.he.forget(pending)
    out = rig.premises.receive(frame, rig.now)
    assert isinstance(rig.he.receive(out[0]), headend.Invalid)


def test_bad_input_is_a_one_line_error():
    rig = Rig()
    esme = rig.eui("esme")
    cases = [
        (("warp-drive", esme, {}), "unknown service request"),
        (("top-up", esme, {}), "needs --param amount"),
        (("top-up", esme, {"amount": "lots"}), "expected an integer"),
        (("top-up", esme, {"amount": 0}), "out of range"),
        (("top-up", esme, {"colour": 1}), "takes no parameter 'colour'"),
        (("payment-mode", esme, {"mode": "free"}), "expected one of credit, prepayment"),
        (("payment-mode", esme, {"mode": "credit", "at": "soon"}), "ISO 8601"),
        (("activate-firmware", esme, {"image_hash": "abc"}), "64 hex digits"),
        (("read-log", esme, {}), "not sent to a esme"),
        (("read-balance", b"\x00" * 8, {}), "unknown device"),
    ]
    for (sr, eui, params), message in cases:
        with pytest.raises(srv.SrError, match=message) as exc:
            rig.he.build(sr, eui, params)
        assert "\n" not in str(exc.value)
    assert not rig.he.pending and not rig.he.counters


def test_srv_numbers_are_aliases():
    rig = Rig()
    r = rig.send("4.18", "esme")
    assert r.ok and r.pending.sr == "read-balance"
    assert srv.kinds_for("2.2") == ["esme", "gsme"]
    assert "top-up" in srv.names() and "read-balance" in srv.names()
