"""Tariff use cases on the ESME: set tariff and price (ECS01a/b/c/d) and the block counter reset
(ECS05, script 0-0:10.0.100.255 selector 99).

ECS01a/b/c/d write the passive tariff objects (smets.usecases.dlms_tariff) with activation times;
the objects are kept as sent and read back (ECS24/24b), and what becomes active prices consumption,
through the one translation ``dlms_tariff.tariff_config``:

* NOW (or a time already past): before anything is stored, the objects as they will be once the
  request has run are translated and given to the behaviour, which activates that tariff at once
  (a billing data log snapshot, 0x8F0A). A request whose objects cannot make a tariff is refused
  whole (other-reason on every specification) and changes nothing.
* a future date-time: the device holds each object (smets.usecases.cosem); when one falls due its
  passive values become the active ones (0x8F66 per object) and the objects then active are
  translated the same way and given to the behaviour as its passive tariff for that instant. The
  objects of one command activated together so make one tariff, activated once, at that instant
  (before the half-hour and midnight charges of the same instant). A future-dated request is also
  translated as if it all ran at once when it arrives, so that one that can never make a tariff is
  refused then.
* NEVER cancels what was held.

The behaviour prices with the tariff in force from then on: TOU rates, block sets with their
thresholds (a hybrid of both), special days, seasons, the standing charge at each midnight and the
secondary element's rates (smets.behaviour.tariff). The behaviour keeps its own copy
(``meter.tariff.active``); the COSEM objects stay in the device's attribute store.
"""

from smets.usecases import cosem, dlms_tariff
from smets.usecases.common import SUPPLIER, dlms_use_case, find, obis
from smets.usecases.registry import entry
from smets.wire import dlms
from smets.wire.errors import DecodeError

SCRIPT_TABLE = 9
TARIFF_SCRIPTS = obis(0, 0, 10, 0, 100)
RESET_BLOCK_COUNTERS = 99


def ecs05(dev, ctx, req):
    i = find(req, SCRIPT_TABLE, TARIFF_SCRIPTS, 1, dlms.ACTION)
    if i < 0 or req.data[i][1] != RESET_BLOCK_COUNTERS:
        raise KeyError("ECS05 selector")
    dev.behaviour_call(dev.meter.reset_block_counters(ctx.now))
    return None


def view(dev, overlay=None):
    """``get(class_id, instance, attr)`` over the device's stored values, ``overlay`` (a dict of
    cosem keys) first."""
    store = dev.store

    def get(class_id, instance, attr):
        k = cosem.key(class_id, instance, attr)
        if overlay:
            v = overlay.get(k)
            if v is not None:
                return v
        return store.get(k)

    return get


def _priced(class_id, instance):
    return (class_id, bytes(instance)) in dlms_tariff.PRICED


def set_tariff(dev, ctx, req):
    """ECS01a/b/c/d: the tariff the request makes active now goes to the behaviour at once."""
    now_view = {}
    all_view = {}
    priced_now = False
    for i in range(len(req.specs)):
        spec = req.specs[i]
        if spec.kind != dlms.SET or not cosem.is_activation(spec.class_id, spec.member):
            continue
        try:
            kind, at = cosem.activation_time(req.data[i])
        except DecodeError:
            continue  # answered type-unmatched by that specification
        if kind == "never":
            continue
        soon = kind == "now" or at <= ctx.now
        priced_now = priced_now or (soon and _priced(spec.class_id, spec.instance))
        for passive, active in cosem.copies(dev, spec.class_id, spec.instance):
            j = find(req, passive[0], passive[1], passive[2], dlms.SET)
            v = req.data[j] if j >= 0 else dev.store.get(passive)
            if v is None:
                continue
            all_view[active] = v
            if soon:
                now_view[active] = v
    if all_view:
        dlms_tariff.tariff_config(view(dev, all_view))  # raises for what can never be a tariff
    if priced_now:
        cfg = dlms_tariff.tariff_config(view(dev, now_view))
        if cfg is not None:
            dev.behaviour_call(dev.meter.set_tariff(cfg, ctx.now, ctx.now))
    return None


def activated(dev, at):
    """A held tariff object fell due and its values are now the active ones: the tariff the active
    objects make becomes the behaviour's passive tariff for ``at`` (each object of a command that
    falls due at the same instant replaces it, so the behaviour activates the whole once)."""
    cfg = dlms_tariff.tariff_config(view(dev))
    if cfg is None:
        return
    m = dev.meter
    held = m.tariff
    if held.passive is not None and held.passive_at < at:
        dev.behaviour_call((None, m.tick(held.passive_at)))  # one due earlier activates first
    dev.behaviour_call(m.set_tariff(cfg, at, m.now))


def bind(model):
    """The tariff objects' cross-object activation copies and the hook that follows them."""
    for carrier, pairs in dlms_tariff.LINKED_COPIES:
        for passive, active in pairs:
            model.link(carrier[0], carrier[1], passive, active)
    for class_id, instance in dlms_tariff.PRICED:
        model.on_activation(class_id, instance, activated)


def esme_use_cases():
    tariff = dlms_use_case(set_tariff)
    return (
        entry("ECS01a", SUPPLIER, tariff, replay=True, dated=True),
        entry("ECS01b", SUPPLIER, tariff, replay=True, dated=True),
        entry("ECS01c", SUPPLIER, tariff, replay=True, dated=True),
        entry("ECS01d", SUPPLIER, tariff, replay=True, dated=True),
        entry("ECS05", SUPPLIER, dlms_use_case(ecs05), replay=True),
    )
