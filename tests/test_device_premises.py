"""A premises end to end: the CHF routes by recipient EUI, the sleepy GSME's commands wait at the
CHF until it wakes, the GPF mirrors the GSME, a tapped-off configuration command reaches the GPF at
once; and the ESME's power outage alert (ECS80). Test PKI of test_device_core.
"""

from test_device_chf import add_device, make_chf
from test_device_core import (
    ESME_EUI,
    NETWORK_OPERATOR,
    NOW,
    SUPPLIER,
    P,
    anchors,
    ecs04a,
    ecs82,
    make_esme,
    party,
    split,
)
from test_device_gsme import GSME_EUI, credit_adjustment, gbz_command, make_gsme

from smets.devices.gpf import Gpf
from smets.devices.keyagreement import OwnKeyAgreement
from smets.premises import Premises
from smets.security import protect
from smets.usecases import gas
from smets.wire import frame as wire
from smets.wire import gbz
from smets.wire import message_codes as mc

GPF_EUI = b"\x00\x11\x22\x33\x44\x55\x66\xa3"
WAKE = 1800


def make_gpf():
    me = party(b"gpf")
    return Gpf(GPF_EUI, P, me.ds, OwnKeyAgreement(P, me.ka, me.ka_pub), anchors(), NOW, ds_public=me.ds_pub)


def make_premises():
    return Premises(make_chf(), make_gpf(), make_esme(), make_gsme(), NOW, WAKE)


def gpf_read(attrs, counter, cluster=gas.PREPAYMENT_CLUSTER, name="GCS60a"):
    read = gbz.Component(cluster, 0x00, b"", 0x00)
    read.set_command(gbz.ZclCommand("Read Attributes", [["attributes", attrs]]))
    read.control = gbz.CTRL_LAST
    payload = gbz.build_payload(gbz.Gbz([read]))
    f = wire.Frame(wire.CRA_COMMAND, counter, SUPPLIER, GPF_EUI, mc.code_for(name), payload, signature=b"")
    return protect.apply_mac(P, f, party(b"acb").ka, party(b"gpf").ka_pub)


def records(frame):
    comp = gbz.parse_payload(frame.payload, alert=False).components[0]
    return comp.command().get("records")


def test_chf_routes_to_the_esme_and_to_itself():
    pr = make_premises()
    responses, _ = split(pr.receive(ecs04a(500, 1), NOW))
    assert responses[0].originator == ESME_EUI and pr.esme.meter.account.balance == 500
    responses, alerts = split(pr.receive(add_device(2, GSME_EUI), NOW))
    assert responses[0].originator == pr.chf.eui and [e[0] for e in pr.chf.log.entries] == [GSME_EUI]
    assert alerts[0].message_code == 0x0018
    # nobody here: discarded and logged by the CHF
    other = bytearray(ecs82(3))
    assert pr.receive(bytes(other).replace(ESME_EUI, b"\x01" * 8), NOW) == []
    assert [e[1] for e in pr.chf.security_log.entries()] == [0x8F3E]


def test_sleepy_gsme_answers_when_it_wakes_and_the_gpf_mirrors_it():
    pr = make_premises()
    pr.gsme.meter.set_payment_mode(2, False, False, 0, NOW, NOW)
    assert pr.receive(gbz_command("GCS40a", [credit_adjustment(0, 4321)], 10), NOW + 5) == []
    assert pr.gsme.meter.account.balance == 0 and len(pr.gsme_queue) == 1
    assert pr.tick(NOW + WAKE - 1) == []
    responses, _ = split(pr.tick(NOW + WAKE))
    assert responses[0].originator == GSME_EUI and pr.gsme.meter.account.balance == 4321
    # the GPF answers from its mirror, stamped with the wake-up time
    responses, _ = split(pr.receive(gpf_read([0x0001], 11), NOW + WAKE + 60))
    r = responses[0]
    assert r.originator == GPF_EUI
    rec = records(r)[0]
    assert (rec.id, rec.status, rec.value) == (1, 0, 4321)
    assert r.date_time == pr.gpf.wire_time(NOW + WAKE)[:11] + b"\x00"


def test_tapped_off_configuration_reaches_the_gpf_at_once():
    pr = make_premises()
    fields = [["low_credit_warning_level", 5000000]]
    low = gbz.Component(gas.PREPAYMENT_CLUSTER, 0x09, b"", 0x01)
    low.set_command(gbz.ZclCommand("Set Low Credit Warning Level", fields))
    pr.receive(gbz_command("GCS05", [low], 20), NOW)
    pr.tick(NOW + WAKE)
    assert pr.gsme.meter.account.thr.low_credit == 5000000
    assert pr.gpf.read(gas.PREPAYMENT_CLUSTER, 0x0031) == (gas.T_UINT32, 5000000)
    assert pr.mirrored_at == NOW + WAKE


def test_gsme_queue_is_bounded():
    pr = make_premises()
    for i in range(40):
        pr.receive(gbz_command("GCS40a", [credit_adjustment(0, 1)], 100 + i), NOW)
    assert len(pr.gsme_queue) == 16


def test_power_outage_alert_to_the_network_operator():
    dev = make_esme()
    assert dev.power_off(NOW) == []
    assert dev.handle(ecs82(1), NOW + 10) == [] and dev.last_gate == "powered off"
    _, alerts = split(dev.power_on(NOW + 600))
    assert len(alerts) == 1 and alerts[0].message_code == 0x0067 and alerts[0].recipient == NETWORK_OPERATOR
    assert protect.verify_signature(P, alerts[0], party(b"esme").ds_pub)
    dev.power_off(NOW + 700)
    assert split(dev.power_on(NOW + 760))[1] == []
