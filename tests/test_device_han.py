"""The HAN devices PPMID, IHD and HCALCS: CS08 (read firmware version) answered by the addressed
device through the common security gate, routing in a premises, the display model fed from the
meters, the PPMID's buttons, and building them from a configuration. Test PKI of test_device_core;
the RTDS 11.2_CS08 responses rebuilt byte for byte with the RTDS keys (the device's MAC key
agreement computed from the ACB's published key), and an RTDS CS01a top-up shown on the PPMID.

Expected payloads are written out from the DER of CS08's response (SEQUENCE { version OCTET STRING
(4), response code INTEGER }) or taken from RTDS; display lines are worked out by hand.
"""

from test_device_chf import make_chf
from test_device_core import ACB, NOW, SUPPLIER, P, anchors, ecs04a, make_esme, party, security_events, split

from smets.behaviour.calendar import Calendar
from smets.behaviour.tariff import TOU, TariffConfig
from smets.build import build_premises
from smets.devices import trust as tr
from smets.devices.chf import Chf
from smets.devices.display import EC_AVAILABLE, EC_IN_USE
from smets.devices.esme import Esme
from smets.devices.han import Hcalcs, Ihd, Ppmid
from smets.devices.keyagreement import OwnKeyAgreement, ReplayKeyAgreement
from smets.premises import Premises
from smets.security import protect
from smets.usecases.han import CS08_FAULT
from smets.wire import frame as wire
from smets.wire import gbz
from smets.wire import message_codes as mc
from support import read_frame, require_rtds, rtds_keyring, unhex

PPMID_EUI = b"\x00\x11\x22\x33\x44\x55\x66\xa4"
IHD_EUI = b"\x00\x11\x22\x33\x44\x55\x66\xa6"
HCALCS_EUI = b"\x00\x11\x22\x33\x44\x55\x66\xa5"
CS08 = 0x0129
NULL = b"\x05\x00"


def make(cls, eui, label, **kw):
    me = party(label)
    return cls(eui, P, me.ds, OwnKeyAgreement(P, me.ka, me.ka_pub), anchors(), NOW, ds_public=me.ds_pub, **kw)


def cs08(recipient, label, counter, payload=NULL, mac_key=b"acb"):
    """CS08 as the ACB sends it on behalf of the supplier: MACed between the ACB and the device."""
    f = wire.Frame(
        wire.CRA_COMMAND,
        counter,
        ACB,
        recipient,
        CS08,
        payload,
        signature=b"",
        supp_remote_party_id=SUPPLIER,
        supp_remote_party_counter=counter + 1000,
    )
    return protect.apply_mac(P, f, party(mac_key).ka, party(label).ka_pub)


def version_payload(version_octets, code):
    return b"\x30\x09\x04\x04" + version_octets + b"\x02\x01" + bytes((code,))


def gbz_alert_code(frame):
    return gbz.parse_payload(frame.payload, alert=True).alert_code


# ---- CS08 ----------------------------------------------------------------------------------


def test_cs08_is_answered_by_the_ppmid_with_its_version():
    dev = make(Ppmid, PPMID_EUI, b"ppmid", firmware_version=0x0123ABCD)
    responses, alerts = split(dev.handle(cs08(PPMID_EUI, b"ppmid", 77), NOW))
    assert dev.last_gate == "accepted" and alerts == []
    r = responses[0]
    assert (r.originator, r.recipient, r.counter, r.message_code) == (PPMID_EUI, ACB, 77, CS08)
    assert (r.supp_remote_party_id, r.supp_remote_party_counter) == (SUPPLIER, 1077)
    assert r.date_time is None and not r.signature
    assert protect.verify_mac(P, r, party(b"acb").ka, party(b"ppmid").ka_pub)
    assert r.payload == version_payload(b"\x01\x23\xab\xcd", 0)
    assert dev.device_type == 5


def test_cs08_read_failure_reports_version_zero():
    dev = make(Hcalcs, HCALCS_EUI, b"hcalcs", firmware_version=0x00020001)
    assert dev.device_type == 4
    responses, _ = split(dev.handle(cs08(HCALCS_EUI, b"hcalcs", 5), NOW))
    assert responses[0].payload == version_payload(b"\x00\x02\x00\x01", 0)
    dev.inject_fault(CS08_FAULT)
    responses, _ = split(dev.handle(cs08(HCALCS_EUI, b"hcalcs", 6), NOW))
    assert responses[0].payload == version_payload(b"\x00\x00\x00\x00", 1)


def test_cs08_bad_mac_wrong_recipient_and_bad_payload_are_refused():
    dev = make(Ppmid, PPMID_EUI, b"ppmid")
    # MACed with a key that is not the ACB's: no response, 0x8F3D logged and alerted
    responses, alerts = split(dev.handle(cs08(PPMID_EUI, b"ppmid", 1, mac_key=b"supplier"), NOW))
    assert responses == [] and dev.last_gate == "bad MAC"
    assert security_events(dev) == [0x8F3D]
    assert [gbz_alert_code(a) for a in alerts] == [0x8F3D] and alerts[0].originator == PPMID_EUI
    # for the HCALCS, handed to the PPMID: discarded, 0x8F3E logged
    assert dev.handle(cs08(HCALCS_EUI, b"ppmid", 2), NOW) == []
    assert dev.last_gate == "wrong recipient" and security_events(dev) == [0x8F3D, 0x8F3E]
    # a payload that is not DER NULL: integrity failure 0x8F1E
    responses, alerts = split(dev.handle(cs08(PPMID_EUI, b"ppmid", 3, payload=b"\x05"), NOW))
    assert responses == [] and security_events(dev)[-1] == 0x8F1E
    assert [gbz_alert_code(a) for a in alerts] == [0x8F1E]


def test_the_ihd_supports_no_gbcs_use_case():
    dev = make(Ihd, IHD_EUI, b"ihd")
    assert dev.device_type == 6
    responses, alerts = split(dev.handle(cs08(IHD_EUI, b"ihd", 9), NOW))
    assert responses == [] and dev.last_gate == "not supported"
    assert alerts[0].message_code == 0x0120 and alerts[0].recipient == ACB


def _rtds_han_device(cls, theirs, ring, version):
    """The RTDS device that sent `theirs`, keyed as the replay keys it, running `version`."""
    acb_pub = ring.public(theirs.recipient, "ka")
    ka = ReplayKeyAgreement(
        P, ring.public(theirs.originator, "ka"), {bytes(acb_pub): ring.private(ACB, "ka")}
    )
    t = tr.TrustAnchors()
    t.set(tr.ROLE_ACB, tr.USAGE_KA, ACB, acb_pub)
    t.set(tr.ROLE_SUPPLIER, tr.USAGE_DS, SUPPLIER, ring.public(SUPPLIER, "ds"))
    me = party(b"replay")
    return cls(theirs.originator, P, me.ds, ka, t, NOW, ds_public=me.ds_pub, firmware_version=version)


def test_rtds_cs08_success_and_error_byte_for_byte():
    require_rtds()
    ring = rtds_keyring()
    for variant, cls, version in (("SUCCESS", Ppmid, 0x0123ABCD), ("ERROR", Hcalcs, 0x0123ABCD)):
        command = read_frame("11.2_CS08", "CS08_11.2_%s_COMMAND_GBCS.HEX" % variant)
        theirs = read_frame("11.2_CS08", "CS08_11.2_%s_RESPONSE_GBCS.HEX" % variant)
        dev = _rtds_han_device(cls, wire.parse(theirs), ring, version)
        if variant == "ERROR":
            dev.inject_fault(CS08_FAULT)  # RTDS: "Read Failure", version 00000000
        assert dev.handle(command, NOW) == [theirs], variant
    # the SUCCESS variant goes to ...A4 (PPMID), the ERROR one to ...A5 (HCALCS)
    assert wire.parse(command).recipient == unhex("00DB1234567890A5")


# ---- the premises ----------------------------------------------------------------------------


def han_premises():
    han = [make(Ppmid, PPMID_EUI, b"ppmid"), make(Ihd, IHD_EUI, b"ihd"), make(Hcalcs, HCALCS_EUI, b"hcalcs")]
    return Premises(make_chf(), None, make_esme(), None, NOW, 1800, han)


def test_premises_routes_to_the_han_devices_by_eui():
    pr = han_premises()
    for eui, label, name in ((PPMID_EUI, b"ppmid", "PPMID"), (HCALCS_EUI, b"hcalcs", "HCALCS")):
        responses, _ = split(pr.receive(cs08(eui, label, 40), NOW))
        assert responses[0].originator == eui and pr.han_device(name).last_gate == "accepted"
    assert [d.name for d in pr.devices()][-3:] == ["PPMID", "IHD", "HCALCS"]
    assert pr.han_device("IHD").meters == [pr.esme]
    # nobody with this EUI: the CHF logs it
    assert pr.receive(cs08(b"\x01" * 8, b"ppmid", 41), NOW) == []
    assert security_events(pr.chf) == [0x8F3E]


def test_premises_without_han_devices_is_unchanged():
    pr = Premises(make_chf(), None, make_esme(), None, NOW)
    assert pr.han == () and pr.han_device("PPMID") is None
    assert [d.name for d in pr.devices()] == ["CHF", "ESME"]


def test_display_shows_the_esme_balance_after_a_credit():
    pr = han_premises()
    esme = pr.esme
    esme.meter.set_payment_mode(2, False, False, 0, NOW, NOW)
    pr.receive(ecs04a(1234500, 3), NOW + 10)  # GBP 12.345 in 10^-5 GBP
    v = pr.han_device("PPMID").refresh(NOW + 20).meters[0]
    assert (v.fuel, v.prepayment, v.balance, v.debt, v.price) == ("E", True, 1234500, 0, None)
    lines = pr.han_device("IHD").display_lines(NOW + 20)
    assert lines == ["E PAYG 12.34", "E supply enabled"]


def test_display_price_ec_and_the_ppmid_buttons():
    pr = han_premises()
    m = pr.esme.meter
    m.set_payment_mode(2, False, False, 0, NOW, NOW)
    m.set_prepayment_config(0, 300000, 100000, 1000000, 5000000, 30, 604800, NOW, NOW)
    # 1234 x 10^-4 GBP/kWh = 12.34 p/kWh = 12340 x 10^-5 GBP per kWh
    m.set_tariff(TariffConfig(TOU, Calendar.flat(1), (1234,), price_scale=-4), NOW, NOW)
    ppmid = pr.han_device("PPMID")
    v = ppmid.refresh(NOW).meters[0]
    assert v.price == 12340 and v.ec == EC_AVAILABLE
    assert ppmid.display_lines(NOW)[1:3] == ["E 12.340p/kWh", "E EC available"]
    out = ppmid.press_ec_button(NOW + 5)
    assert m.account.ec.active and out and all(wire.parse(b).originator == pr.esme.eui for b in out)
    lines = ppmid.display_lines(NOW + 5)
    assert ppmid.display.meters[0].ec == EC_IN_USE
    assert "E EC in use" in lines
    assert lines[-1] == "!81AB Emergency Credit Activated"[:16]
    assert ppmid.press_ec_button(NOW + 6, fuel="G") == []  # no gas meter here
    # supply: disabled, armed by the supplier, enabled from the PPMID
    m.remote_disable(NOW + 7)
    m.remote_arm(NOW + 8)
    assert "E supply armed" in ppmid.display_lines(NOW + 8)
    ppmid.press_supply_button(NOW + 9)
    assert m.supply.state == 1 and "E supply enabled" in ppmid.display_lines(NOW + 9)


def test_rtds_top_up_is_shown_on_the_ppmid():
    """RTDS 2.2_CS01a SUCCESS credits GBP 10.00 to ESME ...A0; its PPMID ...A4 shows it."""
    require_rtds()
    ring = rtds_keyring()
    pp = ring.public(SUPPLIER, "pp-ka")
    privates = {
        bytes(ring.public(ACB, "ka")): ring.private(ACB, "ka"),
        bytes(ring.public(SUPPLIER, "ka")): ring.private(SUPPLIER, "ka"),
        bytes(pp): ring.private(SUPPLIER, "pp-ka"),
    }
    t = tr.TrustAnchors()
    for role, eui in ((tr.ROLE_SUPPLIER, SUPPLIER), (tr.ROLE_ACB, ACB)):
        t.set(role, tr.USAGE_DS, eui, ring.public(eui, "ds"))
        t.set(role, tr.USAGE_KA, eui, ring.public(eui, "ka"))
    t.set(tr.ROLE_SUPPLIER, tr.USAGE_KA, SUPPLIER, pp, tr.CELL_PREPAYMENT_TOP_UP)
    me = party(b"replay")

    def device(cls, last):
        eui = unhex("00DB1234567890") + bytes((last,))
        ka = ReplayKeyAgreement(P, ring.public(eui, "ka"), privates)
        return cls(eui, P, me.ds, ka, t, NOW, ds_public=me.ds_pub)

    ppmid = device(Ppmid, 0xA4)
    pr = Premises(device(Chf, 0xA2), None, device(Esme, 0xA0), None, NOW, 1800, [ppmid])
    pr.esme.meter.set_payment_mode(2, False, False, 0, NOW, NOW)
    pr.receive(read_frame("2.2_CS01a", "CS01a_2.2_SUCCESS_COMMAND_GBCS.HEX"), NOW + 60)
    assert pr.esme.last_gate == "accepted"
    assert ppmid.refresh(NOW + 60).meters[0].balance == 1000000
    assert ppmid.display_lines(NOW + 60)[0] == "E PAYG 10.00"


# ---- building ------------------------------------------------------------------------------


def _spec(eui, label, **extra):
    me = party(label)
    out = {"eui": eui.hex(), "ds": me.ds.hex(), "ka": me.ka.hex(), "ds_pub": me.ds_pub.hex()}
    out["ka_pub"] = me.ka_pub.hex()
    out.update(extra)
    return out


def test_build_premises_with_han_devices():
    parties = {}
    for name, eui, label in (("supplier", SUPPLIER, b"supplier"), ("acb", ACB, b"acb")):
        p = party(label)
        parties[name] = {"eui": eui.hex(), "ds": p.ds_pub.hex(), "ka": p.ka_pub.hex()}
    cfg = {
        "chf": _spec(b"\x00\x11\x22\x33\x44\x55\x66\x02", b"chf"),
        "esme": _spec(b"\x00\x11\x22\x33\x44\x55\x66\x77", b"esme"),
        "ppmid": _spec(PPMID_EUI, b"ppmid", firmware_version=0x0A0B0C0D),
        "ihd": _spec(IHD_EUI, b"ihd"),
        "hcalcs": _spec(HCALCS_EUI, b"hcalcs"),
        "parties": parties,
    }
    pr = build_premises(cfg, P, NOW)
    assert [(d.name, d.device_type, d.eui) for d in pr.han] == [
        ("PPMID", 5, PPMID_EUI),
        ("IHD", 6, IHD_EUI),
        ("HCALCS", 4, HCALCS_EUI),
    ]
    logged = [e[0] for e in pr.chf.log.entries]
    assert PPMID_EUI in logged and IHD_EUI in logged and HCALCS_EUI in logged
    assert pr.han_device("PPMID").meters == [pr.esme]
    responses, _ = split(pr.receive(cs08(PPMID_EUI, b"ppmid", 12), NOW))
    assert responses[0].payload == version_payload(b"\x0a\x0b\x0c\x0d", 0)
    assert mc.use_case_name(responses[0].message_code) == "CS08"
