"""The CHF: device log use cases from the ACB (add, remove, restore, read, back up) and the CS14
alert, with the test PKI of test_device_core; and the RTDS CS14 alert rebuilt byte for byte from
the log it carries (the device's MAC key agreement is computed from the ACB's published key).
"""

from test_device_core import ACB, NOW, SUPPLIER, P, anchors, party, split

from smets.devices import trust as tr
from smets.devices.chf import Chf
from smets.devices.keyagreement import OwnKeyAgreement, ReplayKeyAgreement
from smets.usecases import chf_log
from smets.wire import dlms
from smets.wire import dlms_axdr as ax
from smets.wire import frame as wire
from smets.wire import message_codes as mc
from support import read_frame, require_rtds, rtds_keyring

CHF_EUI = b"\x00\x11\x22\x33\x44\x55\x66\x02"
METER = b"\x00\x11\x22\x33\x44\x55\x66\x77"
INSTALL_CODE = bytes(range(16))


def make_chf():
    me = party(b"chf")
    return Chf(CHF_EUI, P, me.ds, OwnKeyAgreement(P, me.ka, me.ka_pub), anchors(), NOW, ds_public=me.ds_pub)


def acb_command(code, specs, data, counter):
    from smets.security import protect

    payload = dlms.build_payload(dlms.AccessRequest(dlms.BREAK_ON_ERROR | counter, specs, data))
    f = wire.Frame(
        wire.CRA_COMMAND,
        counter,
        ACB,
        CHF_EUI,
        code,
        payload,
        signature=b"",
        supp_remote_party_id=SUPPLIER,
        supp_remote_party_counter=counter + 5000,
    )
    return protect.apply_mac(P, f, party(b"acb").ka, party(b"chf").ka_pub)


def add_device(counter, eui=METER):
    spec = dlms.Spec(dlms.ACTION, 104, chf_log.DEVICE_LOG, 1)
    value = (
        ax.T_STRUCTURE,
        [(ax.T_OCTET_STRING, eui), (ax.T_ENUM, 1), (ax.T_OCTET_STRING, INSTALL_CODE), (ax.T_ENUM, 0)],
    )
    return acb_command(mc.code_for("CCS01"), [spec], [value], counter)


def remove_device(counter, eui=METER):
    spec = dlms.Spec(dlms.ACTION, 104, chf_log.DEVICE_LOG, 2)
    return acb_command(mc.code_for("CCS02"), [spec], [(ax.T_OCTET_STRING, eui)], counter)


def test_add_device_answers_the_acb_and_raises_cs14():
    from smets.security import protect

    chf = make_chf()
    responses, alerts = split(chf.handle(add_device(10), NOW))
    assert chf.last_error is None and chf.last_gate == "accepted"
    r = responses[0]
    assert r.recipient == ACB and r.supp_remote_party_id == SUPPLIER and r.supp_remote_party_counter == 5010
    assert protect.verify_mac(P, r, party(b"acb").ka, party(b"chf").ka_pub)
    assert [e[0] for e in chf.log.entries] == [METER]
    assert len(alerts) == 1 and alerts[0].message_code == 0x0018 and alerts[0].recipient == ACB
    assert protect.verify_mac(P, alerts[0], party(b"acb").ka, party(b"chf").ka_pub)
    body = dlms.parse_payload(alerts[0].payload).body[1]
    assert body[0] == (ax.T_LONG_UNSIGNED, 0x8F12)
    items = body[2][1][2][1]
    assert [i[1][0][1] for i in items] == [METER]


def test_adding_twice_keeps_one_entry_and_raises_nothing_new():
    chf = make_chf()
    chf.handle(add_device(10), NOW)
    responses, alerts = split(chf.handle(add_device(11), NOW))
    assert dlms.parse_payload(responses[0].payload).results[0] == (dlms.ACTION, 0)
    assert alerts == [] and len(chf.log.entries) == 1


def test_remove_keeps_history_and_backup_shows_both_logs():
    chf = make_chf()
    chf.handle(add_device(10), NOW)
    _, alerts = split(chf.handle(remove_device(11), NOW))
    assert chf.log.entries == [] and chf.log.historic == [[METER, INSTALL_CODE]]
    assert alerts and alerts[0].message_code == 0x0018
    specs = [
        dlms.Spec(dlms.ACTION, 104, chf_log.DEVICE_LOG, 4),
        dlms.Spec(dlms.ACTION, 104, chf_log.HISTORIC_LOG, 4),
    ]
    frame = acb_command(mc.code_for("CCS07"), specs, [(ax.T_INTEGER, 0), (ax.T_INTEGER, 0)], 12)
    responses, _ = split(chf.handle(frame, NOW))
    resp = dlms.parse_payload(responses[0].payload)
    assert resp.results == [(dlms.ACTION, 0), (dlms.ACTION, 0)]
    assert resp.data[0][1][2] == (ax.T_ARRAY, [])
    assert resp.data[1][1][2][1][0][1] == [(ax.T_OCTET_STRING, METER), (ax.T_OCTET_STRING, INSTALL_CODE)]


def test_supplier_may_not_change_the_device_log():
    from smets.security import protect

    chf = make_chf()
    spec = dlms.Spec(dlms.ACTION, 104, chf_log.DEVICE_LOG, 2)
    payload = dlms.build_payload(
        dlms.AccessRequest(dlms.BREAK_ON_ERROR | 5, [spec], [(ax.T_OCTET_STRING, METER)])
    )
    f = wire.Frame(wire.CRA_COMMAND, 5, SUPPLIER, CHF_EUI, mc.code_for("CCS02"), payload, signature=b"")
    frame = protect.apply_mac(P, f, party(b"acb").ka, party(b"chf").ka_pub)
    responses, alerts = split(chf.handle(frame, NOW))
    assert responses == [] and chf.last_gate == "no authority"


def test_rtds_cs14_alert_rebuilt_byte_for_byte():
    require_rtds()
    ring = rtds_keyring()
    theirs_bytes = read_frame("NA_CS14", "CS14_NA_8F12_ALERT_GBCS.HEX")
    theirs = wire.parse(theirs_bytes)
    acb_ka = ring.private(theirs.recipient, "ka")
    acb_pub = ring.public(theirs.recipient, "ka")
    own_pub = ring.public(theirs.originator, "ka")
    ka = ReplayKeyAgreement(P, own_pub, {bytes(acb_pub): acb_ka})
    t = tr.TrustAnchors()
    t.set(tr.ROLE_ACB, tr.USAGE_KA, theirs.recipient, acb_pub)
    t.set(tr.ROLE_ACB, tr.USAGE_DS, theirs.recipient, ring.public(theirs.recipient, "ds"))
    me = party(b"chf")
    chf = Chf(theirs.originator, P, me.ds, ka, t, NOW, alert_counter=theirs.counter, ds_public=me.ds_pub)
    body = dlms.parse_payload(theirs.payload).body[1]
    when = ax.datetime_to_utc(body[1][1]) - 946684800
    chf_log.load_backup(chf, body[2])
    chf.log.changed_at = when
    chf_log.announce(chf, when)
    out = chf.tick(when)
    assert out == [theirs_bytes]
    assert mc.use_case_name(theirs.message_code) == "CS14"
