"""Supply use cases on the ESME: remote enable, disable and arm (ECS42/43/44, script table
0-0:10.0.106.255 execute with selector 51, 52, 54) and the supply status read (ECS45)."""

from smets.usecases import cosem
from smets.usecases.common import SUPPLIER, SUPPLIER_NO_ACB, dlms_use_case, find, obis
from smets.usecases.registry import entry
from smets.wire import dlms

SCRIPT_TABLE = 9
SUPPLY_SCRIPTS = obis(0, 0, 10, 0, 106)
EXECUTE = 1
ENABLE = 51
DISABLE = 52
ARM = 54


def _script(selector_wanted, call):
    def translate(dev, ctx, req):
        i = find(req, SCRIPT_TABLE, SUPPLY_SCRIPTS, EXECUTE, dlms.ACTION)
        if i < 0 or req.data[i][1] != selector_wanted:
            raise KeyError("supply script selector")
        ok, alerts = call(dev.meter, ctx.now)
        dev.behaviour_call((ok, alerts))
        return {i: cosem.R_SUCCESS if ok else cosem.R_OTHER}

    return translate


def esme_use_cases():
    return (
        entry(
            "ECS42", SUPPLIER, dlms_use_case(_script(ENABLE, lambda m, t: m.remote_enable(t))), replay=True
        ),
        entry(
            "ECS43", SUPPLIER, dlms_use_case(_script(DISABLE, lambda m, t: m.remote_disable(t))), replay=True
        ),
        entry("ECS44", SUPPLIER, dlms_use_case(_script(ARM, lambda m, t: m.remote_arm(t))), replay=True),
        entry("ECS45", SUPPLIER_NO_ACB, dlms_use_case()),
    )
