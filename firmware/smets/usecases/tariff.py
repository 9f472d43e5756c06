"""Tariff use cases on the ESME: set tariff and price (ECS01a/b/c/d; the passive calendar, prices and
thresholds are kept as sent, and activate at their activation times, future-dated ones with an
0x8F66 alert per object), and the block counter reset (ECS05, script 0-0:10.0.100.255 selector 99).

The behaviour's TariffConfig is not built from the DLMS calendar yet: the ESME answers, stores,
holds and activates the objects, and reads give them back, but consumption is not priced by them.
"""

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


def esme_use_cases():
    store_only = dlms_use_case()
    return (
        entry("ECS01a", SUPPLIER, store_only, replay=True, dated=True),
        entry("ECS01b", SUPPLIER, store_only, replay=True, dated=True),
        entry("ECS01c", SUPPLIER, store_only, replay=True, dated=True),
        entry("ECS01d", SUPPLIER, store_only, replay=True, dated=True),
        entry("ECS05", SUPPLIER, dlms_use_case(ecs05), replay=True),
    )
