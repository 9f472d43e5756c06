"""A premises' state to plain data, JSON and back (smets.persist), on both interpreters.

A premises is built from a configuration (smets.build) with the test PKI of test_device_core and
driven the way a head end and a household would: signed and MACed commands (payment mode, UTRN
top-ups, emergency credit, remote disable, a future-dated payment mode and firmware activation),
days of consumption with time-debt recovery, GSME commands that wait at the CHF for its wake-up
(a top-up, debt, a future-dated payment mode), a frame for nobody. Its state goes through JSON
text into a premises freshly built from the same configuration. Then

1. what the restored premises shows through the devices' own accessors equals the original's
   (the behaviour compared through its own binary snapshot, a description independent of persist);
2. both premises, given the same further commands, consumption and time, send the same bytes
   (the providers sign deterministically, RFC 6979): the strongest check that nothing was lost;
3. a replayed command counter and a UTRN already credited are still refused after the restore;
4. a truncated or corrupted state is refused with a ValueError and changes nothing;
5. every attribute of every object in a premises is either state or declared not state, so an
   attribute added later without a row in persist.CLASSES fails here.
"""

import binascii
import hashlib
import io

from test_device_chf import CHF_EUI, add_device
from test_device_core import (
    ACB,
    ESME_EUI,
    NETWORK_OPERATOR,
    NOW,
    SUPPLIER,
    P,
    command,
    ecs04a,
    ecs82,
    party,
    payment_mode_command,
    request,
    split,
)
from test_device_gsme import GSME_EUI, change_debt, cluster_command, credit_adjustment, gbz_command
from test_device_premises import GPF_EUI

from smets import persist
from smets.behaviour import tariff as tf
from smets.behaviour import topup as tu
from smets.behaviour.calendar import Calendar
from smets.behaviour.debt import DAILY, HOURLY, TDR1
from smets.behaviour.timeutil import civil_from_days
from smets.build import DEVICE_KINDS, build_premises
from smets.compat import IS_MICROPYTHON
from smets.security import utrn as ut
from smets.usecases import gas
from smets.usecases.esme_model import CREDIT, EMERGENCY_CREDIT
from smets.usecases.prepayment import TOKEN_GATEWAY, TOKEN_GATEWAY_OBJ
from smets.usecases.registry import Held
from smets.usecases.supply import DISABLE, ENABLE, EXECUTE, SCRIPT_TABLE, SUPPLY_SCRIPTS
from smets.wire import alert_codes as ac
from smets.wire import dlms
from smets.wire import dlms_axdr as ax
from smets.wire import frame as wire
from smets.wire import message_codes as mc
from support import mutations, raises

HOUR = 3600
DAY = 86400
UNIX = 946684800
# Other EUIs for the HAN devices a configuration may name (smets.build.DEVICE_KINDS).
EUIS = {"chf": CHF_EUI, "gpf": GPF_EUI, "esme": ESME_EUI, "gsme": GSME_EUI}


def hx(b):
    return binascii.hexlify(b).decode()


def _device(kind):
    p = party(kind.encode())
    eui = EUIS.get(kind) or (b"\x00\x11\x22\x33\x44\x55\x67" + bytes((len(kind) * 16 + ord(kind[0]) & 0xFF,)))
    return {"eui": hx(eui), "ds": hx(p.ds), "ka": hx(p.ka), "ds_pub": hx(p.ds_pub), "ka_pub": hx(p.ka_pub)}


def _party(label, eui, prepayment=None):
    p = party(label)
    d = {"eui": hx(eui), "ds": hx(p.ds_pub), "ka": hx(p.ka_pub)}
    if prepayment is not None:
        d["ka_prepayment"] = hx(party(prepayment).ka_pub)
    return d


def config(kinds=("chf", "gpf", "esme", "gsme"), log_sizes="board"):
    cfg = {
        "parties": {
            "supplier": _party(b"supplier", SUPPLIER, b"supplier prepayment"),
            "acb": _party(b"acb", ACB),
            "network_operator": _party(b"no", NETWORK_OPERATOR),
        },
        "log_sizes": log_sizes,
    }
    for kind in kinds:
        cfg[kind] = _device(kind)
    return cfg


# ---- the head end ----------------------------------------------------------------------------
class HeadEnd:
    """Supplier commands with rising counters (one sequence for each device)."""

    def __init__(self):
        self.esme = 1000  # small: the DLMS invoke ID of test_device_core's requests is the counter
        self.gsme = 1000
        self.acb = 100

    def next_esme(self):
        self.esme += 1
        return self.esme

    def next_gsme(self):
        self.gsme += 1
        return self.gsme


def top_up_esme(counter, pennies):
    key = ut.utrn_key(P, party(b"supplier prepayment").ka, party(b"esme").ka_pub, SUPPLIER, ESME_EUI, counter)
    digits = ut.generate_utrn(P, key, counter, pennies, ut.VALUE_CLASS_PENNIES, SUPPLIER, ESME_EUI)
    return utrn_command(digits, counter)


def utrn_command(digits, counter):
    spec = dlms.Spec(dlms.ACTION, TOKEN_GATEWAY, TOKEN_GATEWAY_OBJ, 1)
    return command(
        mc.code_for("CS01a"), request([spec], [(ax.T_OCTET_STRING, digits.encode())], counter), counter
    )


def utrn_of(frame):
    """The UTRN digits a CS01a command carries."""
    return dlms.parse_payload(wire.parse(frame).payload).data[0][1].decode()


def top_up_gsme(counter, pennies):
    key = ut.utrn_key(P, party(b"supplier prepayment").ka, party(b"gsme").ka_pub, SUPPLIER, GSME_EUI, counter)
    digits = ut.generate_utrn(P, key, counter, pennies, ut.VALUE_CLASS_PENNIES, SUPPLIER, GSME_EUI)
    fields = [["originating_device", 0], ["top_up_code", digits.encode()]]
    return gbz_command(
        "CS01b", [cluster_command(gas.PREPAYMENT_CLUSTER, 0x04, "Consumer Top Up", fields)], counter
    )


def supply_script(selector, counter, name):
    spec = dlms.Spec(dlms.ACTION, SCRIPT_TABLE, SUPPLY_SCRIPTS, EXECUTE)
    return command(mc.code_for(name), request([spec], [(ax.T_LONG_UNSIGNED, selector)], counter), counter)


def ecs09(counter):
    spec = dlms.Spec(dlms.ACTION, CREDIT, EMERGENCY_CREDIT, 3)
    return command(mc.code_for("ECS09"), request([spec], [(ax.T_INTEGER, 0)], counter), counter)


def cs06(image_hash, counter, at):
    from smets.wire import der

    y, mo, d = civil_from_days(at // DAY)
    when = der.make_generalized_time(y, mo, d, (at % DAY) // HOUR, 0, 0)  # a whole hour
    parts = [der.make_octets(image_hash), der.make_int(counter), when]
    return command(mc.code_for("CS06"), der.build_payload(der.make_sequence(parts)), counter)


def gsme_payment_mode(counter, at, prepayment):
    fields = [
        ["provider_id", 0],
        ["issuer_event_id", 1],
        ["implementation_date_time", at],
        ["proposed_payment_control_configuration", 0x0897 if prepayment else gas.PCC_CREDIT],
        ["cut_off_value", 0],
    ]
    cpm = cluster_command(gas.PREPAYMENT_CLUSTER, 0x06, "Change Payment Mode", fields)
    return gbz_command("GCS03", [cpm], counter)


def dlms_at(t):
    return ax.datetime_from_utc(t + UNIX)


NOW_DT = b"\x00" * 12
IMAGE = b"\x5a" * 32
TARIFF = tf.TariffConfig(tf.TOU, Calendar.flat(1), (20000,), price_scale=-5, standing_charge=50000)


def prime(pr):
    """What a supplier sets up once and the tests do through the behaviour: a tariff (0.20/kWh,
    0.50/day), the prepayment configuration, time debt 1 recovered hourly, a firmware image held."""
    for dev in (pr.esme, pr.gsme):
        m = dev.meter
        m.set_tariff(TARIFF, NOW, NOW)
        m.set_prepayment_config(200000, 300000, 100000, 10000000, 100000000, 30, 604800, NOW, NOW)
    m = pr.esme.meter
    m.set_debt_recovery(0, ((1000, -5, HOURLY), (0, -5, DAILY)), NOW)
    m.adjust_debt(TDR1, 100000, NOW)
    m.firmware.held_hash, m.firmware.held_version, m.firmware.running_version = IMAGE, 0x0200, 0x0100
    pr.gsme.meter.set_payment_mode(2, False, False, 0, NOW, NOW)


def days(pr, start, hours, esme_wh=650, gsme_wh=300):
    """Hourly consumption on both meters and the premises' time moving on; returns the frames."""
    out = []
    for h in range(1, hours + 1):
        t = start + h * HOUR
        out += pr.esme.consume(t, esme_wh)
        out += pr.gsme.consume(t, gsme_wh)
        out += pr.tick(t)
    return out


class Drive:
    """The premises before the checkpoint, and what the tests need to know about it."""

    def __init__(self):
        self.he = he = HeadEnd()
        self.cfg = config()
        pr = self.premises = build_premises(self.cfg, P, NOW)
        prime(pr)
        t = NOW
        pr.receive(payment_mode_command(he.next_esme(), NOW_DT), t)
        self.balance_before_top_up = pr.esme.meter.account.balance
        c = he.next_esme()
        self.top_up = top_up_esme(c, 1000)  # GBP 10.00
        self.top_up_at = t + 60
        self.top_up_out = pr.receive(self.top_up, self.top_up_at)
        self.balance_after_top_up = pr.esme.meter.account.balance
        pr.receive(top_up_gsme(he.next_gsme(), 1250), t + 120)
        pr.receive(gbz_command("GCS04", [change_debt(1, 100000, 1, 5000)], he.next_gsme()), t + 180)
        pr.receive(add_device(he.acb + 1, b"\x00\x11\x22\x33\x44\x55\x66\x99"), t + 240)
        self.out = days(pr, t, 60)
        t += 60 * HOUR
        pr.receive(ecs09(he.next_esme()), t + 10)
        pr.receive(supply_script(DISABLE, he.next_esme(), "ECS43"), t + 20)
        self.future_at = t + DAY + 12 * HOUR
        pr.receive(payment_mode_command(he.next_esme(), dlms_at(self.future_at)), t + 30)
        self.firmware_at = t + 2 * DAY - 3 * HOUR  # a whole hour, as CS06 names it
        pr.receive(cs06(IMAGE, he.next_esme(), self.firmware_at), t + 40)
        pr.receive(gsme_payment_mode(he.next_gsme(), t + DAY, False), t + 50)
        self.replayable = ecs04a(-1000, he.next_esme())
        pr.receive(self.replayable, t + 60)
        pr.esme.drift(5)
        pr.receive(ecs82(he.next_esme()).replace(ESME_EUI, b"\x01" * 8), t + 70)  # for nobody
        self.out += days(pr, t, 1)
        t += HOUR
        pr.receive(gbz_command("GCS40a", [credit_adjustment(0, 4321)], he.next_gsme()), t + 5)
        self.t = t + 10
        pr.tick(self.t)


_DRIVEN = None


def driven():
    """The driven premises' checkpoint: (Drive, JSON text, observable state) made once per run."""
    global _DRIVEN
    if _DRIVEN is None:
        d = Drive()
        text = persist.to_json(persist.dump(d.premises))
        _DRIVEN = (d, text, observable(d.premises))
    return _DRIVEN


# ---- observable state, through the devices' own accessors ------------------------------------
def _sorted_items(d):
    return sorted(d.items())


def _run(r):
    if r is None:
        return None
    assert isinstance(r, Held)
    return (r.fn, r.args)


def _device_view(d):
    cells = []
    for k, a in d.trust.cells.items():
        cells.append((k, a.eui, a.public, a.floor))
    cells.sort()
    pending = [
        (
            p.at,
            p.seq,
            p.message_code,
            p.counter,
            bytes(p.originator),
            p.class_id,
            p.instance,
            p.attr,
            _run(p.run),
        )
        for p in d.pending
    ]
    view = [
        ("eui", d.eui),
        ("counters", _sorted_items(d.counters)),
        ("alert_counter", d.alert_counter),
        ("security_log", d.security_log.entries()),
        ("pending", pending),
        ("faults", d.faults),
        ("clock_offset", d.clock_offset),
        ("now", d.now),
        ("powered", (d.powered, d.power_off_at)),
        ("trust", cells),
        ("outbox", d.outbox),
    ]
    for name in ("store", "zstore"):
        s = getattr(d, name, None)
        if s is not None:
            view.append((name, s.values))
    m = getattr(d, "meter", None)
    if m is not None:
        view.append(("meter snapshot", m.snapshot()))
        view.append(("prepayment registers", m.prepayment_registers()))
        view.append(("supply", (m.supply.state, m.supply.reason)))
    for name in (
        "top_up_log",
        "debt_log",
        "billing_period",
        "friendly_credit",
        "last_top_up",
        "samples",
        "snapshots",
        "calendars",
        "price",
        "join_log",
    ):
        if hasattr(d, name):
            view.append((name, getattr(d, name)))
    if hasattr(d, "data_stamp"):
        view.append(("data_stamp", d.data_stamp))
    log = getattr(d, "log", None)
    if log is not None:
        view.append(("device log", (log.entries, log.historic, log.ext_pan_id, log.changed_at)))
    fw = getattr(d, "firmware", None)
    if fw is not None:
        view.append(("firmware", (fw.running_version, fw.held_version, fw.held_hash, fw.activate_at)))
    return view


def observable(pr):
    out = [
        ("gsme_queue", pr.gsme_queue),
        ("gsme_out", pr.gsme_out),
        ("next_wake", pr.next_wake),
        ("mirrored_at", pr.mirrored_at),
    ]
    for d in pr.devices():
        for k, v in _device_view(d):
            out.append((d.name + " " + k, v))
    return out


def assert_same(a, b):
    assert len(a) == len(b), (len(a), len(b))
    for (ka, va), (kb, vb) in zip(a, b):
        assert ka == kb, (ka, kb)
        assert va == vb, "%s differs: %r != %r" % (ka, va, vb)


# ---- 1. the restored premises shows what the original showed ----------------------------------
def test_what_was_driven_is_in_the_checkpoint():
    d, text, view = driven()
    pr = d.premises
    # the driven premises is in the states the tests rely on (else the checks below prove little)
    m = pr.esme.meter
    assert m.account.prepayment() and m.account.ec.active and m.supply.state == 0  # disabled
    assert d.balance_after_top_up - d.balance_before_top_up == 1000000  # GBP 10.00 in 10^-5
    assert [row for _t, row in m.billing_credits.entries()] == [(1000000,)]
    assert 0 < m.account.debt.regs[TDR1] < 100000  # hourly recovery has begun, not finished
    assert [p.message_code for p in pr.esme.pending] == [mc.code_for("ECS03"), mc.code_for("CS06")]
    assert [p.run.fn.__name__ for p in pr.esme.pending] == ["run_activation", "run_activation"]
    assert [p.message_code for p in pr.gsme.pending] == [mc.code_for("GCS03")]
    assert len(pr.gsme_queue) == 1 and pr.gsme.meter.account.balance > 0
    assert len(pr.gsme.top_up_log) == 1 and pr.gsme.top_up_log[0][1] == 1250000
    assert pr.gsme.meter.account.debt.regs[TDR1] > 0 and pr.gpf.samples and pr.mirrored_at
    assert pr.esme.clock_offset == 5 and ac.A_EC_ACTIVATED in [c for _t, c, _d in m.event_log.entries()]
    assert [e[1] for e in pr.chf.security_log.entries()] == [0x8F3E]  # the frame for nobody
    assert len(pr.chf.log.entries) == 4 and pr.chf.counters[ACB] == d.he.acb + 1
    restored = persist.load_premises(d.cfg, persist.from_json(text), P)
    assert_same(observable(restored), view)


def test_json_text_is_stable():
    d, text, _view = driven()
    state = persist.dump(persist.load_premises(d.cfg, persist.from_json(text), P))
    # written in pieces (as a board streams it to a file), the text is the checkpoint's again
    pos = [0, 0]

    def check(piece):
        assert text[pos[0] : pos[0] + len(piece)] == piece, pos[0]
        pos[0] += len(piece)
        pos[1] += 1

    persist.write_json(state, check, chunk=100)
    assert pos[0] == len(text) and pos[1] > 10


def _text_digest(state):
    """(length, SHA-256) of write_json's text for `state`, taken piece by piece (no whole text)."""
    h = hashlib.sha256()
    n = [0]

    def write(piece):
        h.update(piece.encode())
        n[0] += len(piece)

    persist.write_json(state, write)
    return n[0], h.digest()


def test_a_state_streamed_from_the_objects_is_the_same_text():
    # A board writes its state straight from the objects (persist.streamed), never holding the
    # whole plain copy: the text is the checkpoint's, in short pieces (a long-running board's heap
    # is fragmented, only short blocks are sure to be free): at most `chunk` characters plus one
    # more part, the longest being a base64 slice of 192 octets (256 characters).
    d, text, _view = driven()
    pos = [0, 0, 0]

    def check(piece):
        assert text[pos[0] : pos[0] + len(piece)] == piece, pos[0]
        pos[0] += len(piece)
        pos[1] += 1
        pos[2] = max(pos[2], len(piece))

    persist.write_json(persist.streamed(d.premises), check, chunk=100)
    assert pos[0] == len(text) and pos[1] > 10 and pos[2] <= 100 + 256
    # one device on its own, and a premises with every kind of device the configuration knows
    gpf = d.premises.gpf
    assert _text_digest(persist.streamed(gpf)) == _text_digest(persist.dump(gpf))
    pr = build_premises(config(DEVICE_KINDS), P, NOW)
    pr.tick(NOW + DAY)
    assert _text_digest(persist.streamed(pr)) == _text_digest(persist.dump(pr))


def test_a_state_that_cannot_be_streamed_names_the_field():
    pr = build_premises(config(("chf", "esme")), P, NOW)
    pr.esme.meter.account.ec = object()  # an object of no class in persist.CLASSES
    for write in (lambda: persist.dump(pr), lambda: persist.to_json(persist.streamed(pr))):
        try:
            write()
        except ValueError as e:
            assert ".esme.meter.account.ec: a object is not in persist.CLASSES" in str(e), str(e)
        else:
            raise AssertionError("a state holding an unknown object was written")


def test_one_device_on_its_own():
    d, text, _view = driven()
    state = persist.dump(d.premises.esme)
    dev = persist.load_device("esme", d.cfg, persist.from_json(persist.to_json(state)), P)
    assert_same(_device_view(dev), _device_view(d.premises.esme))
    raises(ValueError, persist.load_device, "gsme", d.cfg, state, P)  # an ESME's state
    # a board streams a device's state to a file and reads it back from the stream
    f = io.StringIO()
    persist.write_json(persist.dump(d.premises.gpf), f.write, chunk=256)
    f.seek(0)
    gpf = persist.load_device("gpf", d.cfg, persist.from_json(f), P)
    assert_same(_device_view(gpf), _device_view(d.premises.gpf))


# ---- 2. both premises carry on byte for byte -------------------------------------------------
def carry_on(pr, d):
    """Further commands, consumption and time; the frames each step sent, step by step."""
    he = HeadEnd()
    he.esme, he.gsme = d.he.esme, d.he.gsme
    t = d.t
    steps = []
    steps.append(pr.receive(top_up_esme(he.next_esme(), 2000), t + 60))
    steps.append(pr.receive(supply_script(ENABLE, he.next_esme(), "ECS42"), t + 120))
    steps.append(pr.receive(ecs82(he.next_esme()), t + 180))
    steps.append(pr.receive(top_up_gsme(he.next_gsme(), 500), t + 240))
    steps.append(pr.esme.press_ec_button(t + 300))
    steps.append(days(pr, t, 12))  # the GSME wakes: the queued GCS40a and the top-up run
    steps.append(pr.esme.power_off(t + 13 * HOUR))
    steps.append(pr.esme.power_on(t + 13 * HOUR + 600))
    steps.append(days(pr, t + 13 * HOUR, 60))  # the future-dated items fall due
    steps.append(pr.receive(ecs82(he.next_esme()), t + 74 * HOUR))
    return steps


def test_original_and_restored_send_the_same_bytes():
    global _DRIVEN
    d, text, view = driven()
    _DRIVEN = None  # the original moves on here: the next test drives a new one
    restored = persist.load_premises(d.cfg, persist.from_json(text), P)
    assert_same(observable(d.premises), view)  # nothing else has moved the original
    a = carry_on(d.premises, d)
    b = carry_on(restored, d)
    assert len(a) == len(b)
    for i in range(len(a)):
        assert a[i] == b[i], "step %d differs" % i
    frames = []
    for s in a:
        frames += s
    responses, alerts = split(frames)
    assert len(responses) == 6 and len(alerts) >= 6  # ESME x4, GSME x2 (at its wake-up)
    # the held items ran after the restore, in both: 0x8F66 for the payment mode, FDFA for CS06
    fdeia = [f for f in alerts if f.message_code == 0x00CC]
    assert len(fdeia) == 1 and dlms.parse_payload(fdeia[0].payload).body[1][0] == (ax.T_LONG_UNSIGNED, 0x8F66)
    assert [f.message_code for f in alerts].count(0x00CA) == 1  # FDFA (DER)
    assert [f.message_code for f in alerts].count(0x00CD) == 1  # the GSME's GCS03 (FDEIA-GBZ)
    assert restored.esme.meter.firmware_version() == 0x0200 and restored.esme.pending == []
    assert restored.esme.meter.account.pending_mode is None  # the future-dated ECS03 ran
    assert_same(observable(restored), observable(d.premises))


# ---- 3. replay protection and credited top-ups survive ---------------------------------------
def test_replayed_counter_is_still_refused_after_restore():
    d, text, _view = driven()
    pr = persist.load_premises(d.cfg, persist.from_json(text), P)
    balance = pr.esme.meter.account.balance
    replayed = sum(1 for _t, code, _m in pr.esme.security_log.entries() if code == 0x8F53)
    assert pr.receive(d.replayable, d.t + 1) == [] or pr.esme.last_gate == "replayed counter"
    assert pr.esme.last_gate == "replayed counter"
    assert pr.esme.meter.account.balance == balance
    assert sum(1 for _t, code, _m in pr.esme.security_log.entries() if code == 0x8F53) == replayed + 1


def keypad_entry(meter, digits, counter, t):
    """The UTRN typed on the meter (decoded and verified as the device does for the WAN)."""
    u = ut.decode_utrn(digits)
    key = ut.utrn_key(P, party(b"esme").ka, party(b"supplier prepayment").ka_pub, SUPPLIER, ESME_EUI, counter)
    authentic = ut.verify_utrn(P, u, key, SUPPLIER, ESME_EUI, counter)
    top = tu.TopUp(counter, u.value, u.value_class, authentic, True)
    return meter.apply_top_up(top, tu.KEYPAD, t)[0]


def test_credited_top_up_is_still_there_and_refused_again():
    d, text, _view = driven()
    pr = persist.load_premises(d.cfg, persist.from_json(text), P)
    m = pr.esme.meter
    assert [(t, row) for t, row in m.billing_credits.entries()] == [(d.top_up_at, (1000000,))]
    balance = m.account.balance
    # the same command again: refused by anti-replay
    assert pr.receive(d.top_up, d.t + 1) == [] and pr.esme.last_gate == "replayed counter"
    # the same UTRN typed on the meter: a duplicate (the UTRN counter cache came back)
    counter = wire.parse(d.top_up).counter
    assert keypad_entry(m, utrn_of(d.top_up), counter, d.t + 2) == ac.A_DUPLICATE_UTRN
    assert m.account.balance == balance and len(m.billing_credits.entries()) == 1
    # on a meter that never saw it, the same entry is credited: the cache made the difference
    fresh = build_premises(d.cfg, P, NOW).esme.meter
    assert keypad_entry(fresh, utrn_of(d.top_up), counter, NOW + 60) == 0
    assert fresh.account.balance == 1000000


# ---- 4. a state that does not fit is refused -------------------------------------------------
def _fresh(text):
    return persist.from_json(text)


def test_truncated_or_mangled_json_is_a_value_error():
    d, text, _view = driven()
    for cut in (0, 1, 10, len(text) // 3, len(text) // 2, len(text) - 2, len(text) - 1):
        raises(ValueError, persist.from_json, text[:cut])
    raises(ValueError, persist.from_json, text.replace('"b64":"', '"b64":"!', 1))
    raises(ValueError, persist.from_json, text.replace('"_seq":0', '"_seq":0.5', 1))
    # deterministic single-character changes, deletions and cuts: loaded or refused, nothing else
    refused = 0
    count = 12 if IS_MICROPYTHON else 60
    for m in mutations(text.encode(), 7, count):
        try:
            persist.load_premises(d.cfg, persist.from_json(m), P)
        except ValueError:
            refused += 1
    assert refused > count // 2


def _at(state, path):
    """The dict at a dotted path of fields inside a state."""
    v = state["state"]
    for name in path.split("."):
        v = v[name]
    return v


def test_corrupted_state_is_refused_naming_the_field():
    d, text, _view = driven()
    cfg = d.cfg

    def refused(state, words):
        try:
            persist.load_premises(cfg, state, P)
        except ValueError as e:
            for w in words:
                assert w in str(e), (w, str(e))
            return
        raise AssertionError("accepted")

    s = _fresh(text)
    del _at(s, "esme.meter.account")["balance"]
    refused(s, ("esme.meter.account.balance", "missing"))
    s = _fresh(text)
    _at(s, "esme.meter.account")["balance"] = "lots"
    refused(s, ("balance", "str"))
    s = _fresh(text)
    _at(s, "esme.meter.account")["credit"] = 5
    refused(s, ("credit", "not a field"))
    s = _fresh(text)
    _at(s, "esme.meter")["profile"]["values"]["n"] = 3
    refused(s, ("profile.values",))
    s = _fresh(text)
    _at(s, "esme.meter")["profile"]["values"]["array"] = "Q"
    refused(s, ("profile.values",))
    s = _fresh(text)
    _at(s, "esme")["pending"][0]["run"]["run"] = "os.system"
    refused(s, ("esme.pending[0].run", "os.system"))
    s = _fresh(text)
    _at(s, "esme")["meter"]["class"] = "GsmeBehaviour"
    refused(s, ("esme.meter", "GsmeBehaviour"))
    s = _fresh(text)
    _at(s, "gpf")["samples"]["dict"][0][1]["ints"].pop()  # (start, value) pairs, one value short
    refused(s, ("gpf.samples[0]", "rows of 2"))
    s = _fresh(text)
    _at(s, "gsme.meter.event_log")["head"] = 20  # a ring of 20 entries
    refused(s, ("gsme.meter.event_log", "head 20"))
    s = _fresh(text)
    s["format"] = 99
    refused(s, ("format",))
    raises(ValueError, persist.load_premises, cfg, [1, 2], P)
    raises(ValueError, persist.load_premises, cfg, {"format": 1}, P)
    raises(ValueError, persist.load_premises, cfg, {"format": 1, "state": [5]}, P)
    raises(ValueError, persist.load_premises, cfg, {"format": 1, "state": {"tuple": []}}, P)


def test_state_of_another_premises_or_other_sizes_is_refused():
    d, text, _view = driven()
    other = config()
    other["esme"] = dict(other["esme"])
    other["esme"]["eui"] = hx(b"\x00\x11\x22\x33\x44\x55\x66\x78")
    raises(ValueError, persist.load_premises, other, _fresh(text), P)
    s = _fresh(text)
    _at(s, "esme.meter.profile")["size"] = 19056  # SMETS log sizes: these are the board's
    raises(ValueError, persist.load_premises, d.cfg, s, P)
    if not IS_MICROPYTHON:  # a premises with the SMETS log sizes is too big for a board's heap
        raises(ValueError, persist.load_premises, config(log_sizes="full"), _fresh(text), P)
    no_gsme = config(("chf", "gpf", "esme"))
    raises(ValueError, persist.load_premises, no_gsme, _fresh(text), P)


def test_a_refused_state_changes_nothing():
    d, text, view = driven()
    pr = persist.load_premises(d.cfg, persist.from_json(text), P)
    s = _fresh(text)
    _at(s, "gsme.meter.account")["balance"] = None  # fits, but a later field does not
    _at(s, "gsme.meter.account.debt")["regs"] = "broken"
    _at(s, "esme.meter.account")["balance"] = 1
    raises(ValueError, persist.restore, pr, s)
    assert_same(observable(pr), view)


# ---- 5. every attribute is accounted for -----------------------------------------------------
def attributes(o):
    """The attributes an object holds (slots on CPython, the instance dict on MicroPython)."""
    names = []
    d = getattr(o, "__dict__", None)
    if d is not None:
        names += list(d.keys())
    for c in getattr(type(o), "__mro__", ()):
        for n in getattr(c, "__slots__", ()):
            if n not in names and hasattr(o, n):
                names.append(n)
    return names


def unclassified(root):
    """'Class.attribute' for every attribute of an object reachable through state that is neither
    state nor declared not state, and 'Class' for objects persist cannot hold."""
    out = []
    todo = [root]
    seen = []
    while todo:
        v = todo.pop()
        if v is None or isinstance(v, (bool, int, str, bytes, bytearray)):
            continue
        if isinstance(v, (list, tuple)):
            todo.extend(v)
            continue
        if isinstance(v, dict):
            todo.extend(v.keys())
            todo.extend(v.values())
            continue
        if type(v).__name__ in ("array", "Held") or any(v is s for s in seen):
            continue
        seen.append(v)
        spec = persist.spec(type(v))
        if spec is None:
            out.append(type(v).__name__)
            continue
        for n in attributes(v):
            if n not in spec[0] and n not in spec[1] and n not in spec[2]:
                out.append(type(v).__name__ + "." + n)
        for n in spec[0]:
            todo.append(getattr(v, n, None))
    return out


def test_every_attribute_is_state_or_declared_not_state():
    d, _text, _view = driven()
    assert unclassified(d.premises) == []
    # a premises with every kind of device the configuration knows (PPMID, IHD, HCALCS included)
    cfg = config(DEVICE_KINDS)
    pr = build_premises(cfg, P, NOW)
    pr.tick(NOW + DAY)
    assert unclassified(pr) == []
    back = persist.load_premises(cfg, persist.from_json(persist.to_json(persist.dump(pr))), P)
    assert_same(observable(back), observable(pr))


def test_only_plain_data_in_a_dump():
    d, _text, _view = driven()
    todo = [persist.dump(d.premises)]
    n = 0
    while todo:
        v = todo.pop()
        n += 1
        if isinstance(v, dict):
            for k, x in v.items():
                assert type(k) is str
                todo.append(x)
        elif isinstance(v, list):
            todo.extend(v)
        else:
            assert v is None or type(v) in (bool, int, str, bytes), type(v)
    assert n > 500
