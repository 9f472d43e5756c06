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

from smets.usecases import cosem, tariff_objects
from smets.usecases.common import SUPPLIER, dlms_use_case, find, obis
from smets.usecases.registry import entry
from smets.wire import dlms

SCRIPT_TABLE = 9
TARIFF_SCRIPTS = obis(0, 0, 10, 0, 100)
RESET_BLOCK_COUNTERS = 99


def ecs05(dev, ctx, req):
    i = find(req, SCRIPT_TABLE, TARIFF_SCRIPTS, 1, dlms.ACTION)
    if i < 0 or req.data[i][1] != RESET_BLOCK_COUNTERS:
        raise KeyError("ECS05 selector")
    dev.behaviour_call(dev.meter.reset_block_counters(ctx.now))
    return None


def set_tariff(dev, ctx, req):
    """ECS01a/b/c/d: the tariff the request makes active now goes to the behaviour at once."""
    from smets.usecases import dlms_tariff  # on first use: a board without tariff commands never loads it

    now, every, priced = cosem.after_request(dev, ctx, req, tariff_objects.PRICED)
    if every:
        dlms_tariff.tariff_config(cosem.view(dev, every))  # raises for what can never be a tariff
    if priced:
        cfg = dlms_tariff.tariff_config(cosem.view(dev, now))
        if cfg is not None:
            dev.behaviour_call(dev.meter.set_tariff(cfg, ctx.now, ctx.now))
    return None


def activated(dev, at):
    """A held tariff object fell due and its values are now the active ones: the tariff the active
    objects make becomes the behaviour's passive tariff for ``at`` (each object of a command that
    falls due at the same instant replaces it, so the behaviour activates the whole once)."""
    from smets.usecases import dlms_tariff  # on first use: a board without tariff commands never loads it

    cfg = dlms_tariff.tariff_config(cosem.view(dev))
    if cfg is None:
        return
    m = dev.meter
    held = m.tariff
    if held.passive is not None and held.passive_at < at:
        dev.behaviour_call((None, m.tick(held.passive_at)))  # one due earlier activates first
    dev.behaviour_call(m.set_tariff(cfg, at, m.now))


def bind(model):
    """The cross-object activation copies of the tariff and non-disablement objects
    (``tariff_objects.LINKED_COPIES``) and the hook that follows the tariff's held activations."""
    for carrier, pairs in tariff_objects.LINKED_COPIES:
        for passive, active in pairs:
            model.link(carrier[0], carrier[1], passive, active)
    for class_id, instance in tariff_objects.PRICED:
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
