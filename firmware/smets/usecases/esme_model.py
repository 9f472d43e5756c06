"""The ESME's COSEM objects that are bound to its behaviour (everything else lives in the device's
attribute store). Object identities and data types are the GBCS ones (GBCS use-case mapping
tables, ../shared/spec/reference/gbcs-use-cases.txt; the RTDS 4.5.0 decodes show the same).

One Model serves every ESME: bindings are functions of the device, so a fleet shares them.
"""

from smets.behaviour import supply as sp
from smets.behaviour.debt import PDR, TDR1, TDR2
from smets.usecases import cosem
from smets.usecases.common import obis
from smets.wire import dlms_axdr as ax

CREDIT = 112
CHARGE = 113
DATA = 1
DISCONNECT_CONTROL = 70

METER_BALANCE = obis(0, 0, 19, 10, 0)
EMERGENCY_CREDIT = obis(0, 0, 19, 10, 1)
ACCUMULATED_DEBT = obis(0, 0, 19, 10, 2)
TIME_DEBT_1 = obis(0, 0, 19, 20, 1)
TIME_DEBT_2 = obis(0, 0, 19, 20, 2)
PAYMENT_DEBT = obis(0, 0, 19, 20, 3)
PREPAYMENT_REGISTERS = obis(0, 0, 94, 44, 34, 30)
FIRMWARE_VERSION = obis(0, 0, 0, 2, 1)
DEVICE_ID = obis(0, 0, 96, 1, 1)
SUPPLY_SWITCH = obis(0, 0, 96, 3, 10)

CURRENT_CREDIT_AMOUNT = 2  # Credit class attribute
TOTAL_AMOUNT_REMAINING = 12  # Charge class attribute
DEBT_CHARGES = ((TIME_DEBT_1, TDR1), (TIME_DEBT_2, TDR2), (PAYMENT_DEBT, PDR))


def _dl(v):
    return (ax.T_DOUBLE_LONG, v)


def _balance(dev, sel):
    return _dl(dev.meter.account.balance)


def _load_balance(dev, value):
    dev.meter.account.balance = cosem_int(value)


def _ec(dev, sel):
    return _dl(dev.meter.account.ec.balance())


def _load_ec(dev, value):
    ec = dev.meter.account.ec
    v = cosem_int(value)
    if v > ec.limit:
        ec.limit = v
    ec.used = ec.limit - v


def _accumulated(dev, sel):
    return _dl(dev.meter.account.accumulated)


def _load_accumulated(dev, value):
    dev.meter.account.accumulated = cosem_int(value)


def _registers(dev, sel):
    return (ax.T_STRUCTURE, [_dl(v) for v in dev.meter.prepayment_registers()])


def _load_registers(dev, value):
    tag, members = value
    vals = [cosem_int(m) for m in members]
    _load_balance(dev, _dl(vals[0]))
    _load_ec(dev, _dl(vals[1]))
    _load_accumulated(dev, _dl(vals[2]))
    regs = dev.meter.account.debt.regs
    regs[PDR] = vals[3]
    regs[TDR1] = vals[4]
    regs[TDR2] = vals[5]


def _debt_getter(which):
    def get(dev, sel):
        return _dl(dev.meter.account.debt.regs[which])

    return get


def _debt_loader(which):
    def load(dev, value):
        dev.meter.account.debt.regs[which] = cosem_int(value)

    return load


def _firmware(dev, sel):
    v = dev.meter.firmware.running_version & 0xFFFFFFFF
    return (ax.T_OCTET_STRING, v.to_bytes(4, "big"))


def _load_firmware(dev, value):
    octets = value[1]
    if len(octets) == 4:
        dev.meter.firmware.running_version = int.from_bytes(octets, "big")


def _device_id(dev, sel):
    return (ax.T_OCTET_STRING, dev.eui)


def _output_state(dev, sel):
    return (ax.T_BOOLEAN, dev.meter.supply.state == sp.ENABLED)


def _control_state(dev, sel):
    return (ax.T_ENUM, dev.meter.supply.state)


def _load_control_state(dev, value):
    dev.meter.supply.state = cosem_int(value)


def cosem_int(value):
    v = value[1]
    if not isinstance(v, int) or isinstance(v, bool):
        raise TypeError("expected an integer Data value")
    return v


_MODEL = None


def model():
    """The ESME Model (built once)."""
    global _MODEL
    if _MODEL is None:
        m = cosem.Model()
        m.attribute(CREDIT, METER_BALANCE, CURRENT_CREDIT_AMOUNT, _balance, _load_balance)
        m.attribute(CREDIT, EMERGENCY_CREDIT, CURRENT_CREDIT_AMOUNT, _ec, _load_ec)
        m.attribute(CREDIT, ACCUMULATED_DEBT, CURRENT_CREDIT_AMOUNT, _accumulated, _load_accumulated)
        m.attribute(DATA, PREPAYMENT_REGISTERS, 2, _registers, _load_registers)
        for instance, which in DEBT_CHARGES:
            m.attribute(CHARGE, instance, TOTAL_AMOUNT_REMAINING, _debt_getter(which), _debt_loader(which))
        m.attribute(DATA, FIRMWARE_VERSION, 2, _firmware, _load_firmware)
        m.attribute(DATA, DEVICE_ID, 2, _device_id, lambda dev, v: None)
        m.attribute(DISCONNECT_CONTROL, SUPPLY_SWITCH, 2, _output_state, lambda dev, v: None)
        m.attribute(DISCONNECT_CONTROL, SUPPLY_SWITCH, 3, _control_state, _load_control_state)
        _MODEL = m
    return _MODEL
