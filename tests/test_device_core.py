"""Devices: the security gate, response and alert protection, future-dated commands, and ESME use
cases end to end, with a small test PKI of our own (no RTDS needed) and the pure crypto provider.

The head end side below builds commands the way GBCS says a supplier and the ACB do: the supplier
signs critical commands with its DS key, the ACB MACs every command (KDF mode 1 between the ACB's
KA key and the device's). Expected values come from the command sent or from the behaviour's own
state, never from the device's answer.
"""

from hashlib import sha256

from smets.behaviour.timeutil import NEVER, to_seconds
from smets.crypto.pure import PureCrypto
from smets.devices import trust as tr
from smets.devices.esme import Esme
from smets.devices.keyagreement import OwnKeyAgreement
from smets.security import protect
from smets.usecases import cosem
from smets.usecases.esme_model import CREDIT, EMERGENCY_CREDIT, METER_BALANCE
from smets.wire import dlms
from smets.wire import dlms_axdr as ax
from smets.wire import frame as wire
from smets.wire import message_codes as mc

P = PureCrypto()
NOW = to_seconds(2024, 3, 1, 12)
N = 0xFFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551

SUPPLIER = b"\x90\xb3\xd5\x1f\x30\x01\x00\x00"
ACB = b"\x90\xb3\xd5\x1f\x30\x00\x00\x02"
NETWORK_OPERATOR = b"\x90\xb3\xd5\x1f\x30\x02\x00\x00"
ESME_EUI = b"\x00\x11\x22\x33\x44\x55\x66\x77"


def scalar(label):
    d = int.from_bytes(sha256(b"smets test key " + label).digest(), "big")
    return (d % (N - 1) + 1).to_bytes(32, "big")


class Party:
    """A remote party or device: DS and KA key pairs from fixed labels."""

    def __init__(self, label):
        self.ds = scalar(label + b" ds")
        self.ka = scalar(label + b" ka")
        self.ds_pub = P.public_key(self.ds)
        self.ka_pub = P.public_key(self.ka)


_PARTIES = {}


def party(label):
    p = _PARTIES.get(label)
    if p is None:
        p = _PARTIES[label] = Party(label)
    return p


def anchors():
    t = tr.TrustAnchors()
    for role, eui, label in (
        (tr.ROLE_SUPPLIER, SUPPLIER, b"supplier"),
        (tr.ROLE_ACB, ACB, b"acb"),
        (tr.ROLE_NETWORK_OPERATOR, NETWORK_OPERATOR, b"no"),
    ):
        p = party(label)
        t.set(role, tr.USAGE_DS, eui, p.ds_pub)
        t.set(role, tr.USAGE_KA, eui, p.ka_pub)
    pp = party(b"supplier prepayment")
    t.set(tr.ROLE_SUPPLIER, tr.USAGE_KA, SUPPLIER, pp.ka_pub, tr.CELL_PREPAYMENT_TOP_UP)
    return t


def make_esme(now=NOW, **kw):
    me = party(b"esme")
    return Esme(
        ESME_EUI, P, me.ds, OwnKeyAgreement(P, me.ka, me.ka_pub), anchors(), now, ds_public=me.ds_pub, **kw
    )


def command(
    code, payload, counter, originator=SUPPLIER, recipient=ESME_EUI, signer=b"supplier", mac_key=b"acb"
):
    """A command as the head end sends it: signed by `signer` when critical, MACed by the ACB."""
    f = wire.Frame(wire.CRA_COMMAND, counter, originator, recipient, code, payload, signature=b"")
    row = mc.lookup(code)
    if row is not None and row[3] == mc.CRITICAL and signer is not None:
        protect.sign(P, f, party(signer).ds)
    return protect.apply_mac(P, f, party(mac_key).ka, party(b"esme").ka_pub)


def request(specs, data, counter=1):
    return dlms.build_payload(dlms.AccessRequest(dlms.BREAK_ON_ERROR | counter, specs, data))


def ecs04a(delta, counter):
    spec = dlms.Spec(dlms.ACTION, CREDIT, METER_BALANCE, 1)
    return command(mc.code_for("ECS04a"), request([spec], [(ax.T_DOUBLE_LONG, delta)], counter), counter)


def ecs82(counter):
    spec = dlms.Spec(dlms.GET, CREDIT, METER_BALANCE, 2)
    return command(mc.code_for("ECS82"), request([spec], [(ax.T_NULL, None)], counter), counter)


def split(frames):
    """(responses, alerts) as parsed frames."""
    parsed = [wire.parse(b) for b in frames]
    return [f for f in parsed if f.cra == wire.CRA_RESPONSE], [f for f in parsed if f.cra == wire.CRA_ALERT]


def alert_codes(alerts):
    out = []
    for a in alerts:
        out.append(dlms.parse_payload(a.payload).alert_code())
    return out


def security_events(dev):
    return [code for _t, code, _mc in dev.security_log.entries()]


# ---- accepted commands -----------------------------------------------------------------------


def test_critical_command_runs_and_the_response_is_signed_by_the_device():
    dev = make_esme()
    responses, alerts = split(dev.handle(ecs04a(1200000, 1001), NOW))
    assert dev.last_error is None and dev.last_gate == "accepted"
    assert dev.meter.account.balance == 1200000
    assert len(responses) == 1
    r = responses[0]
    assert r.counter == 1001 and r.originator == ESME_EUI and r.recipient == SUPPLIER
    assert r.mac is None and len(r.signature) == 64
    assert protect.verify_signature(P, r, party(b"esme").ds_pub)
    resp = dlms.parse_payload(r.payload)
    assert resp.invoke_id == dlms.BREAK_ON_ERROR | 1001
    assert resp.results == [(dlms.ACTION, cosem.R_SUCCESS)]


def test_non_critical_read_is_maced_for_the_supplier():
    dev = make_esme()
    dev.handle(ecs04a(-4321, 10), NOW)
    responses, _ = split(dev.handle(ecs82(11), NOW))
    r = responses[0]
    assert not r.signature and r.mac is not None
    # the supplier checks it from its side: its KA private key and the device's KA public key
    assert protect.verify_mac(P, r, party(b"supplier").ka, party(b"esme").ka_pub)
    resp = dlms.parse_payload(r.payload)
    assert resp.data == [(ax.T_DOUBLE_LONG, -4321)]


def test_encrypted_read_decrypts_with_the_supplier_key():
    dev = make_esme()
    dev.handle(ecs04a(250000, 20), NOW)
    params = dlms.protection_parameters(dlms.transaction_id(21), SUPPLIER, ESME_EUI)
    wanted = (
        ax.T_STRUCTURE,
        [
            (ax.T_LONG_UNSIGNED, 1),
            (ax.T_OCTET_STRING, bytes((0, 0, 94, 44, 34, 30))),
            (ax.T_INTEGER, 2),
            (ax.T_LONG_UNSIGNED, 0),
            (ax.T_STRUCTURE, [(ax.T_ENUM, 0), (ax.T_NULL, None)]),
        ],
    )
    value = (ax.T_STRUCTURE, [(ax.T_ARRAY, [wanted]), params])
    spec = dlms.Spec(dlms.ACTION, 30, bytes((0, 0, 43, 2, 1, 255)), 1)
    frame = command(mc.code_for("ECS19"), request([spec], [value], 21), 21)
    responses, _ = split(dev.handle(frame, NOW))
    r = responses[0]
    assert r.date_time is not None  # ECS19 responses are dated
    parts = dlms.protected_parts(dlms.parse_payload(r.payload))
    key = protect.encryption_key(P, r, party(b"supplier").ka, party(b"esme").ka_pub)
    plain = protect.decrypt_content(P, key, r.originator, parts[3] + parts[4])
    regs = ax.decode(plain)[0][1][0][1]
    assert [v for _t, v in regs] == list(dev.meter.prepayment_registers())
    assert regs[0] == (ax.T_DOUBLE_LONG, 250000)


def test_ec_activation_refused_in_credit_mode_answers_other_reason():
    dev = make_esme()
    spec = dlms.Spec(dlms.ACTION, CREDIT, EMERGENCY_CREDIT, 3)
    frame = command(mc.code_for("ECS09"), request([spec], [(ax.T_INTEGER, 0)], 30), 30)
    responses, _ = split(dev.handle(frame, NOW))
    assert dlms.parse_payload(responses[0].payload).results == [(dlms.ACTION, cosem.R_OTHER)]


# ---- refused commands: answered, logged, never raised ------------------------------------------


def test_bad_mac_is_logged_and_alerted():
    dev = make_esme()
    good = bytearray(ecs04a(5, 40))
    good[-1] ^= 1
    responses, alerts = split(dev.handle(bytes(good), NOW))
    assert dev.last_error is None and dev.last_gate == "bad MAC"
    assert responses == [] and dev.meter.account.balance == 0
    assert 0x8F3D in security_events(dev)
    assert alert_codes(alerts) == [0x8F3D]
    assert alerts[0].message_code == 0x1000 and protect.verify_signature(P, alerts[0], party(b"esme").ds_pub)


def test_bad_signature_is_logged_and_alerted():
    dev = make_esme()
    frame = ecs04a(5, 41)
    forged = command(mc.code_for("ECS04a"), wire.parse(frame).payload, 41, signer=b"no")
    responses, alerts = split(dev.handle(forged, NOW))
    assert dev.last_gate == "bad signature" and responses == []
    assert dev.meter.account.balance == 0
    assert security_events(dev) == [0x8F3D] and alert_codes(alerts) == [0x8F3D]


def test_replayed_counter_is_refused():
    dev = make_esme()
    frame = ecs04a(7, 50)
    dev.handle(frame, NOW)
    responses, alerts = split(dev.handle(frame, NOW))
    assert dev.last_gate == "replayed counter" and responses == [] and alerts == []
    assert dev.meter.account.balance == 7
    responses, _ = split(dev.handle(ecs04a(7, 49), NOW))
    assert responses == [] and dev.meter.account.balance == 7
    assert security_events(dev).count(0x8F53) == 2


def test_reads_are_not_replay_protected():
    dev = make_esme()
    frame = ecs82(60)
    assert len(split(dev.handle(frame, NOW))[0]) == 1
    assert len(split(dev.handle(frame, NOW))[0]) == 1


def test_wrong_recipient_is_discarded():
    dev = make_esme()
    f = wire.Frame(wire.CRA_COMMAND, 70, SUPPLIER, b"\x00" * 8, 0x0069, b"\xd9", signature=b"")
    frame = protect.apply_mac(P, f, party(b"acb").ka, party(b"esme").ka_pub)
    assert dev.handle(frame, NOW) == []
    assert dev.last_gate == "wrong recipient" and security_events(dev) == [0x8F3E]


def test_role_without_authority_gets_8f30():
    dev = make_esme()
    spec = dlms.Spec(dlms.ACTION, CREDIT, METER_BALANCE, 1)
    payload = request([spec], [(ax.T_DOUBLE_LONG, 9)], 80)
    frame = command(mc.code_for("ECS04a"), payload, 80, originator=NETWORK_OPERATOR, signer=b"no")
    responses, alerts = split(dev.handle(frame, NOW))
    assert dev.last_gate == "no authority" and responses == []
    assert alert_codes(alerts) == [0x8F30] and dev.meter.account.balance == 0


def test_unknown_message_code_gets_the_not_supported_alert():
    dev = make_esme()
    frame = command(0x7777, request([], [], 90), 90)
    responses, alerts = split(dev.handle(frame, NOW))
    assert dev.last_gate == "not supported" and responses == []
    assert len(alerts) == 1 and alerts[0].message_code == 0x0120 and alerts[0].recipient == SUPPLIER
    body = dlms.parse_payload(alerts[0].payload).body[1]
    assert body[0] == (ax.T_LONG_UNSIGNED, 0x8F85)
    assert body[2] == (ax.T_OCTET_STRING, b"\x77\x77" + (90).to_bytes(8, "big"))


def test_garbage_never_raises():
    dev = make_esme()
    good = ecs04a(1, 100)
    samples = [b"", b"\xdd", b"\xdf\x09", good[:20], good[:-1], b"\x00" * 40, bytes(range(256))]
    for s in samples:
        assert dev.handle(s, NOW) == []
        assert dev.last_error is None
    # an authenticated command whose payload is not DLMS: integrity alert, no response
    frame = command(mc.code_for("ECS82"), b"\xd9\x01", 101)
    responses, alerts = split(dev.handle(frame, NOW))
    assert responses == [] and alert_codes(alerts) == [0x8F1E] and dev.last_error is None


# ---- future-dated commands -------------------------------------------------------------------


def payment_mode_command(counter, activation):
    account = bytes((0, 1, 19, 0, 0, 255))
    pairs = []
    for charge in (0, 4, 5):
        pairs.append(
            (
                ax.T_STRUCTURE,
                [
                    (ax.T_OCTET_STRING, bytes((0, 0, 19, 10, 0, 255))),
                    (ax.T_OCTET_STRING, bytes((0, 0, 19, 20, charge, 255))),
                    (ax.T_BIT_STRING, (3, b"\xe0")),
                ],
            )
        )
    specs = [
        dlms.Spec(dlms.SET, 111, account, 2),
        dlms.Spec(dlms.SET, 111, account, 11),
        dlms.Spec(dlms.SET, 111, account, 13),
    ]
    data = [
        (ax.T_STRUCTURE, [(ax.T_ENUM, 2), (ax.T_ENUM, 1)]),
        (ax.T_ARRAY, pairs),
        (ax.T_OCTET_STRING, activation),
    ]
    return command(mc.code_for("ECS03"), request(specs, data, counter), counter)


def test_future_dated_payment_mode_runs_at_its_time_and_raises_8f66():
    dev = make_esme()
    at = NOW + 86400
    activation = ax.datetime_from_utc(at + 946684800)
    responses, _ = split(dev.handle(payment_mode_command(200, activation), NOW))
    assert dlms.parse_payload(responses[0].payload).results == [(dlms.SET, 0)] * 3
    assert not dev.meter.account.prepayment() and len(dev.pending) == 1
    assert dev.tick(at - 1) == [] or not dev.meter.account.prepayment()
    _, alerts = split(dev.tick(at))
    assert dev.meter.account.prepayment() and dev.pending == []
    assert alerts[0].message_code == 0x00CC
    body = dlms.parse_payload(alerts[0].payload).body[1]
    assert body[0] == (ax.T_LONG_UNSIGNED, 0x8F66)
    assert body[1] == (ax.T_OCTET_STRING, activation)
    code, counter, cls, inst, attr = dlms.unpack_future_dated(body[2][1])
    assert (code, counter, cls, inst, attr) == (0x001B, 200, 111, bytes((0, 1, 19, 0, 0, 255)), 13)
    assert protect.verify_signature(P, alerts[0], party(b"esme").ds_pub)


def test_never_cancels_a_held_command():
    dev = make_esme()
    at = NOW + 3600
    dev.handle(payment_mode_command(300, ax.datetime_from_utc(at + 946684800)), NOW)
    assert len(dev.pending) == 1
    dev.handle(payment_mode_command(301, b"\xff" * 9 + b"\x80\x00\xff"), NOW)
    assert dev.pending == []
    assert dev.tick(at + 10) == [] and not dev.meter.account.prepayment()
    assert dev.meter.account.pending_mode_at == NEVER


# ---- SECMP0002 debt register resets (provisional codes) ----------------------------------------


def test_debt_register_resets_in_both_payment_modes():
    from smets.usecases.esme_model import PAYMENT_DEBT, TIME_DEBT_1, TIME_DEBT_2
    from smets.usecases.prepayment import reset_request

    for prepay in (False, True):
        dev = make_esme()
        if prepay:
            dev.meter.set_payment_mode(2, False, False, 0, NOW, NOW)
        dev.meter.account.debt.regs[:] = [111, 222, 333]
        counter = 400
        for name, instance, which in (
            ("ECS07R1", TIME_DEBT_1, 0),
            ("ECS07R2", TIME_DEBT_2, 1),
            ("ECS07R3", PAYMENT_DEBT, 2),
        ):
            counter += 1
            payload = dlms.build_payload(reset_request(dlms.BREAK_ON_ERROR | counter, instance))
            responses, _ = split(dev.handle(command(mc.code_for(name), payload, counter), NOW))
            assert dlms.parse_payload(responses[0].payload).results == [(dlms.ACTION, 0)]
            assert dev.meter.account.debt.regs[which] == 0
            assert protect.verify_signature(P, responses[0], party(b"esme").ds_pub)
        assert dev.meter.account.debt.regs == [0, 0, 0]


def test_device_without_the_reset_feature_answers_not_supported():
    from smets.usecases.esme_model import TIME_DEBT_1
    from smets.usecases.prepayment import reset_request

    dev = make_esme(debt_reset=False)
    dev.meter.account.debt.regs[0] = 5
    payload = dlms.build_payload(reset_request(dlms.BREAK_ON_ERROR | 500, TIME_DEBT_1))
    responses, alerts = split(dev.handle(command(mc.code_for("ECS07R1"), payload, 500), NOW))
    assert responses == [] and dev.last_gate == "not supported"
    assert alerts[0].message_code == 0x0120 and dev.meter.account.debt.regs[0] == 5


# ---- alerts from the behaviour and stimuli ---------------------------------------------------


def test_ec_button_alert_is_maced_non_critical():
    dev = make_esme()
    dev.meter.set_payment_mode(2, False, False, 0, NOW, NOW)
    dev.meter.set_prepayment_config(0, 300000, 100000, 1000000, 5000000, 30, 604800, NOW, NOW)
    _, alerts = split(dev.press_ec_button(NOW + 5))
    assert 0x81AB in alert_codes(alerts)
    a = alerts[alert_codes(alerts).index(0x81AB)]
    assert a.message_code == 0x1001 and not a.signature
    assert protect.verify_mac(P, a, party(b"supplier").ka, party(b"esme").ka_pub)
    counters = [x.counter for x in alerts]
    assert counters == sorted(counters) and len(set(counters)) == len(counters)


def test_alert_counters_rise_across_calls():
    dev = make_esme(alert_counter=7)
    bad = bytearray(ecs04a(1, 1))
    bad[-1] ^= 1
    a1 = split(dev.handle(bytes(bad), NOW))[1][0]
    a2 = split(dev.handle(bytes(bad), NOW))[1][0]
    assert (a1.counter, a2.counter) == (7, 8)


# ---- firmware activation (CS06, DER) ------------------------------------------------------------


def cs06(image_hash, counter, when=None):
    from smets.wire import der

    parts = [der.make_octets(image_hash), der.make_int(counter)]
    if when is not None:
        parts.append(der.make_generalized_time(*when))
    return command(mc.code_for("CS06"), der.build_payload(der.make_sequence(parts)), counter)


def test_firmware_activation_now_and_future_dated():
    from smets.wire import der

    dev = make_esme()
    store = dev.meter.firmware
    image = sha256(b"image").digest()
    store.held_hash, store.held_version, store.running_version = image, 0x0123ABCE, 0x0123ABCF
    # unknown hash: refused with the running version
    responses, _ = split(dev.handle(cs06(bytes(32), 600), NOW))
    out = der.parse_payload(responses[0].payload)
    assert der.to_int(out[0]) == 2 and der.to_bytes(out[1]) == bytes.fromhex("0123ABCF")
    # future-dated: accepted now (NULL), run at its time with the FDFA alert
    responses, _ = split(dev.handle(cs06(image, 601, (2024, 3, 2, 9, 0, 0)), NOW))
    assert der.parse_payload(responses[0].payload).tag == der.NULL
    assert dev.meter.firmware_version() == 0x0123ABCF
    at = to_seconds(2024, 3, 2, 9)
    _, alerts = split(dev.tick(at))
    assert dev.meter.firmware_version() == 0x0123ABCE
    assert alerts[0].message_code == 0x00CA
    body = der.parse_payload(alerts[0].payload)
    assert der.to_int(body[0]) == 0x8F66 and der.generalized_time(body[1]) == (2024, 3, 2, 9, 0, 0)
    assert der.to_int(body[2]) == 601 and der.to_int(body[3][0]) == 0
    assert protect.verify_signature(P, alerts[0], party(b"esme").ds_pub)


# ---- clock (ECS70) and drift ---------------------------------------------------------------------


def ecs70(counter, start, end):
    clock = bytes((0, 0, 1, 0, 0, 255))
    unspecified = b"\xff\xff\xff\xff\xff\xff\xff\xff\xff\x80\x00\xff"
    specs = [
        dlms.Spec(dlms.SET, 8, clock, 9),
        dlms.Spec(dlms.ACTION, 8, clock, 5),
        dlms.Spec(dlms.ACTION, 8, clock, 4),
        dlms.Spec(dlms.GET, 8, clock, 2),
        dlms.Spec(dlms.GET, 8, clock, 4),
    ]
    window = (
        ax.T_STRUCTURE,
        [
            (ax.T_OCTET_STRING, unspecified),
            (ax.T_OCTET_STRING, ax.datetime_from_utc(start + 946684800)),
            (ax.T_OCTET_STRING, ax.datetime_from_utc(end + 946684800)),
        ],
    )
    data = [(ax.T_ENUM, 5), window, (ax.T_INTEGER, 0), (ax.T_NULL, None), (ax.T_NULL, None)]
    return command(mc.code_for("ECS70"), request(specs, data, counter), counter)


def test_clock_drift_is_corrected_inside_the_validity_window():
    dev = make_esme()
    dev.drift(100)
    responses, _ = split(dev.handle(ecs70(700, NOW - 60, NOW + 60), NOW))
    assert dev.clock_offset == 0
    resp = dlms.parse_payload(responses[0].payload)
    assert [r for _k, r in resp.results] == [0] * 5
    assert resp.data[3] == (ax.T_OCTET_STRING, ax.datetime_from_utc(NOW + 946684800))
    # outside the window the clock stays wrong and a drift over 10 s is reported (0x8F0C)
    dev.drift(100)
    _, alerts = split(dev.handle(ecs70(701, NOW + 1000, NOW + 2000), NOW))
    assert dev.clock_offset == 100 and alert_codes(alerts) == [0x8F0C]
