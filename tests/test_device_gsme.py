"""The GSME over GBZ: balance, top-up by UTRN, debt and its SECMP0002 reset, encrypted reads,
future-dated payment mode with the FDEIA-GBZ alert; and RTDS's generic non-critical alerts rebuilt
byte for byte (GSME and ESME), with the test PKI of test_device_core.
"""

from test_device_core import NOW, SUPPLIER, P, anchors, party, split

from smets.behaviour.timeutil import to_seconds
from smets.devices import trust as tr
from smets.devices.esme import Esme
from smets.devices.gsme import Gsme
from smets.devices.keyagreement import OwnKeyAgreement, ReplayKeyAgreement
from smets.security import protect
from smets.security import utrn as ut
from smets.usecases import gas, zse
from smets.wire import frame as wire
from smets.wire import gbz
from smets.wire import message_codes as mc
from support import read_frame, require_rtds, rtds_keyring

GSME_EUI = b"\x00\x11\x22\x33\x44\x55\x66\xa1"


def make_gsme():
    me = party(b"gsme")
    return Gsme(GSME_EUI, P, me.ds, OwnKeyAgreement(P, me.ka, me.ka_pub), anchors(), NOW, ds_public=me.ds_pub)


def gbz_command(name, components, counter, signer=b"supplier"):
    for i, c in enumerate(components):
        c.sequence = i
        c.control = gbz.CTRL_LAST if i == len(components) - 1 else 0
    payload = gbz.build_payload(gbz.Gbz(components))
    code = mc.code_for(name)
    f = wire.Frame(wire.CRA_COMMAND, counter, SUPPLIER, GSME_EUI, code, payload, signature=b"")
    if mc.lookup(code)[3] == mc.CRITICAL:
        protect.sign(P, f, party(signer).ds)
    return protect.apply_mac(P, f, party(b"acb").ka, party(b"gsme").ka_pub)


def cluster_command(cluster, command_id, name, fields):
    c = gbz.Component(cluster, command_id, b"", 0x01)
    c.set_command(gbz.ZclCommand(name, fields))
    return c


def credit_adjustment(kind, value):
    fields = [
        ["issuer_event_id", 1],
        ["start_time", 0],
        ["credit_adjustment_type", kind],
        ["credit_adjustment_value", value],
    ]
    return cluster_command(gas.PREPAYMENT_CLUSTER, 0x05, "Credit Adjustment", fields)


def change_debt(kind, amount, frequency=1, recovery=0, percent=0):
    fields = [
        ["issuer_event_id", 1],
        ["debt_label", b""],
        ["debt_amount", amount],
        ["debt_recovery_method", 1 if kind >= 4 else 0],
        ["debt_amount_type", kind],
        ["debt_recovery_start_time", 0],
        ["debt_recovery_collection_time", 0],
        ["debt_recovery_frequency", frequency],
        ["debt_recovery_amount", recovery],
        ["debt_recovery_balance_percentage", percent],
    ]
    return cluster_command(gas.PREPAYMENT_CLUSTER, 0x02, "Change Debt", fields)


def response_components(frames):
    responses, alerts = split(frames)
    assert len(responses) == 1
    return responses[0], gbz.parse_payload(responses[0].payload, alert=False).components, alerts


def default_status(comp):
    assert comp.command_id == zse.DEFAULT_RESPONSE
    return comp.command().get("status")


def test_credit_adjustment_and_signed_default_response():
    dev = make_gsme()
    dev.meter.set_payment_mode(2, False, False, 0, NOW, NOW)
    r, comps, _ = response_components(
        dev.handle(gbz_command("GCS40a", [credit_adjustment(0, 23130)], 10), NOW)
    )
    assert dev.last_error is None and dev.last_gate == "accepted"
    assert dev.meter.account.balance == 23130
    assert default_status(comps[0]) == zse.S_SUCCESS
    assert comps[0].frame_control == 0x08 and comps[0].command().get("command_id") == 0x05
    assert protect.verify_signature(P, r, party(b"gsme").ds_pub)
    _, comps, _ = response_components(dev.handle(gbz_command("GCS40b", [credit_adjustment(1, 0)], 11), NOW))
    assert default_status(comps[0]) == 0 and dev.meter.account.balance == 0


def test_utrn_top_up_then_duplicate():
    dev = make_gsme()
    dev.meter.set_payment_mode(2, False, False, 0, NOW, NOW)
    counter = 7 << 32
    key = ut.utrn_key(P, party(b"supplier prepayment").ka, party(b"gsme").ka_pub, SUPPLIER, GSME_EUI, counter)
    digits = ut.generate_utrn(P, key, counter, 1250, ut.VALUE_CLASS_PENNIES, SUPPLIER, GSME_EUI)
    top = cluster_command(
        gas.PREPAYMENT_CLUSTER,
        0x04,
        "Consumer Top Up",
        [["originating_device", 0], ["top_up_code", digits.encode()]],
    )
    r, comps, _ = response_components(dev.handle(gbz_command("CS01b", [top], counter), NOW))
    assert r.mac is not None and r.date_time is not None
    cmd = comps[0].command()
    assert (cmd.get("result_type"), cmd.get("top_up_value"), cmd.get("credit_remaining")) == (
        0,
        1250000,
        1250000,
    )
    assert dev.meter.account.balance == 1250000
    # the same UTRN again, under a higher command counter (anti-replay passes, the UTRN does not)
    r, comps, _ = response_components(dev.handle(gbz_command("CS01b", [top], counter + 1), NOW))
    assert comps[0].command().get("result_type") != 0 and dev.meter.account.balance == 1250000


def test_change_debt_and_secmp0002_reset():
    dev = make_gsme()
    comps_in = [
        change_debt(1, 1000000, 1, 50000),
        change_debt(3, 500000, 0, 50000),
        change_debt(5, 1000000, percent=100),
    ]
    _, comps, _ = response_components(dev.handle(gbz_command("GCS04", comps_in, 20), NOW))
    assert [default_status(c) for c in comps] == [0, 0, 0]
    assert dev.meter.account.debt.regs == [1000000, 500000, 1000000]
    assert dev.meter.account.debt.period == [86400, 3600] and dev.meter.account.debt.percent == 100
    for n, (name, kind) in enumerate((("GCS04R1", 0), ("GCS04R2", 2), ("GCS04R3", 4))):
        _, comps, _ = response_components(dev.handle(gbz_command(name, [change_debt(kind, 0)], 30 + n), NOW))
        assert default_status(comps[0]) == 0
    assert dev.meter.account.debt.regs == [0, 0, 0]
    # a "reset" whose amount is not zero is refused
    dev.meter.account.debt.regs[0] = 9
    _, comps, _ = response_components(dev.handle(gbz_command("GCS04R1", [change_debt(0, 5)], 40), NOW))
    assert default_status(comps[0]) == zse.S_FAILURE and dev.meter.account.debt.regs[0] == 9


def test_encrypted_prepayment_read():
    dev = make_gsme()
    dev.meter.account.balance = 2500000
    read = gbz.Component(gas.PREPAYMENT_CLUSTER, 0x00, b"", 0x00)
    read.set_command(gbz.ZclCommand("Read Attributes", [["attributes", [0x0001, 0x0231, 0x7777]]]))
    r, comps, _ = response_components(dev.handle(gbz_command("GCS14", [read], 50), NOW))
    c = comps[0]
    assert c.is_encrypted() and r.date_time is not None
    key = protect.encryption_key(P, r, party(b"supplier").ka, party(b"gsme").ka_pub)
    c.set_plaintext(protect.decrypt_content(P, key, r.originator, c.protected))
    recs = c.command().get("records")
    assert (recs[0].id, recs[0].status, recs[0].type, recs[0].value) == (1, 0, gas.T_INT32, 2500000)
    assert (recs[1].id, recs[1].status) == (0x0231, 0)
    assert (recs[2].id, recs[2].status) == (0x7777, zse.S_UNSUPPORTED_ATTRIBUTE)


def test_future_dated_payment_mode_raises_fdeia_gbz():
    dev = make_gsme()
    at = NOW + 7200
    fields = [
        ["provider_id", 0],
        ["issuer_event_id", 1],
        ["implementation_date_time", at],
        ["proposed_payment_control_configuration", 0x0897],
        ["cut_off_value", 0],
    ]
    cpm = cluster_command(gas.PREPAYMENT_CLUSTER, 0x06, "Change Payment Mode", fields)
    _, comps, _ = response_components(dev.handle(gbz_command("GCS03", [cpm], 60), NOW))
    assert comps[0].command_id == 0x02 and comps[0].frame_control == 0x19
    assert not dev.meter.account.prepayment()
    _, alerts = split(dev.tick(at))
    assert dev.meter.account.prepayment()
    assert alerts[0].message_code == 0x00CD
    g = gbz.parse_payload(alerts[0].payload)
    assert g.alert_code == 0x8F66 and g.timestamp == at
    b = g.alert_body
    assert (b.message_code, b.originator_counter, b.cluster_id, b.command_id) == (
        mc.code_for("GCS03"),
        60,
        0x0705,
        0x06,
    )


def test_hardware_fault_stops_the_remaining_components():
    dev = make_gsme()
    comps_in = [change_debt(1, 10), change_debt(3, 10), change_debt(5, 10)]
    dev.inject_fault(("zcl", 0x0705, 0x02, 1))  # the second component (sequence 1)
    _, comps, _ = response_components(dev.handle(gbz_command("GCS04", comps_in, 70), NOW))
    assert [default_status(c) for c in comps] == [0, zse.S_HARDWARE_FAILURE, zse.S_FAILURE]
    assert comps[2].command().get("command_id") == 0xFF
    assert dev.meter.account.debt.regs == [10, 0, 0]


def _replay_device(cls, theirs, ring):
    peer_pub = ring.public(theirs.recipient, "ka")
    ka = ReplayKeyAgreement(
        P, ring.public(theirs.originator, "ka"), {bytes(peer_pub): ring.private(theirs.recipient, "ka")}
    )
    t = tr.TrustAnchors()
    t.set(tr.ROLE_SUPPLIER, tr.USAGE_KA, theirs.recipient, peer_pub)
    me = party(b"replay")
    return cls(theirs.originator, P, me.ds, ka, t, NOW, alert_counter=theirs.counter, ds_public=me.ds_pub)


def test_rtds_generic_non_critical_alerts_rebuilt_byte_for_byte():
    require_rtds()
    ring = rtds_keyring()
    for folder, name, cls in (
        ("NA_GNCA-ZigBee", "GNCA-ZigBee_NA_810E_ALERT_GBCS.HEX", Gsme),
        ("NA_GNCA-DLMS", "GNCA-DLMS_NA_810E_ALERT_GBCS.HEX", Esme),
    ):
        theirs_bytes = read_frame(folder, name)
        theirs = wire.parse(theirs_bytes)
        dev = _replay_device(cls, theirs, ring)
        when = to_seconds(2015, 1, 1)  # the alerts' time stamp
        dev.raise_alert(0x810E, when)
        assert dev.tick(0) == [theirs_bytes], name
