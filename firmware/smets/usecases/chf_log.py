"""CHF device log use cases: add (CCS01), remove (CCS02), restore (CCS03), read (CCS04/CCS05 and
CCS06, attribute 4 of ZigBee Network Control 0-0:30.3.0.255) and back up (CCS07, method 4 of the
device log and of the historic device log 0-0:30.3.1.255). Every change raises CS14 (alert 0x8F12
to the ACB) carrying a backup of the whole log (../shared/spec/SMETS-GBCS.md §2.15).

The log itself is ``ChfDeviceLog`` (state of the CHF device); here are the DLMS translations.
"""

from smets.usecases import cosem
from smets.usecases.common import ACB, dlms_use_case, find, obis
from smets.usecases.registry import entry
from smets.wire import dlms
from smets.wire import dlms_axdr as ax

ZIGBEE_NETWORK_CONTROL = 104
DEVICE_LOG = obis(0, 0, 30, 3, 0)
HISTORIC_LOG = obis(0, 0, 30, 3, 1)
REGISTER_DEVICE = 1
UNREGISTER_DEVICE = 2
BACKUP = 4
RESTORE = 5
ACTIVE_DEVICES = 4

CS14 = 0x0018
CHF_DEVICE_LOG_CHANGED = 0x8F12


def _o(b):
    return (ax.T_OCTET_STRING, bytes(b))


def backup_value(dev, historic=False):
    """structure {time of the last change, extended PAN ID, array of {EUI, hashed link key}}."""
    log = dev.log
    entries = log.historic if historic else log.entries
    items = [(ax.T_STRUCTURE, [_o(e[0]), _o(e[1])]) for e in entries]
    return (ax.T_STRUCTURE, [_o(dev.wire_time(log.changed_at)), _o(log.ext_pan_id), (ax.T_ARRAY, items)])


def load_backup(dev, value, historic=False):
    _t, members = value
    when, pan, items = members
    log = dev.log
    rows = [[bytes(i[1][0][1]), bytes(i[1][1][1]), None] for i in items[1]]
    if historic:
        log.historic = [r[:2] for r in rows]
    else:
        log.restore(bytes(pan[1]), rows, log.changed_at)
    try:
        log.changed_at = ax.datetime_to_utc(when[1]) - 946684800
    except ValueError:
        pass


def _default_diagnostics(dev):
    """[I] HAN figures for a device with no measurement yet: no flags, no signal, never heard."""
    zero = (ax.T_UNSIGNED, 0)
    return [
        (ax.T_BIT_STRING, (8, b"\x00")),
        (ax.T_INTEGER, 0),
        (ax.T_INTEGER, 0),
        (ax.T_INTEGER, 0),
        zero,
        zero,
        zero,
        _o(dev.wire_time(dev.log.changed_at)),
        zero,
        zero,
        zero,
        zero,
        zero,
    ]


def active_devices(dev, sel):
    items = []
    for e in dev.log.entries:
        diag = e[2] if e[2] is not None else _default_diagnostics(dev)
        items.append((ax.T_STRUCTURE, [_o(e[0])] + list(diag)))
    return (ax.T_ARRAY, items)


def load_active_devices(dev, value):
    for item in value[1]:
        members = item[1]
        eui = bytes(members[0][1])
        row = dev.log.find(eui)
        if row is None:
            row = [eui, b"", None]
            dev.log.entries.append(row)
        row[2] = list(members[1:])


def _backup_action(historic):
    def action(dev, value, ctx):
        return cosem.R_SUCCESS, backup_value(dev, historic)

    return action


def announce(dev, now):
    """CS14: alert 0x8F12 to the ACB with a backup of the whole device log."""
    dev.raise_alert(CHF_DEVICE_LOG_CHANGED, now, [backup_value(dev)], CS14, dev.trust_acb())


def _changed(dev, ctx):
    dev.log.changed_at = ctx.now
    announce(dev, ctx.now)


def ccs01(dev, ctx, req):
    i = find(req, ZIGBEE_NETWORK_CONTROL, DEVICE_LOG, REGISTER_DEVICE, dlms.ACTION)
    members = req.data[i][1]
    eui, key = bytes(members[0][1]), bytes(members[2][1])
    if len(eui) != 8:
        raise ValueError("CCS01: EUI-64 of 8 octets")
    added = dev.log.add(eui, key)
    if added is None:
        return {i: cosem.R_TEMPORARY_FAILURE}
    if added:
        _changed(dev, ctx)
    return None


def ccs02(dev, ctx, req):
    i = find(req, ZIGBEE_NETWORK_CONTROL, DEVICE_LOG, UNREGISTER_DEVICE, dlms.ACTION)
    eui = bytes(req.data[i][1])
    if dev.log.remove(eui, keep_history=eui != dev.gpf_eui):
        _changed(dev, ctx)
    return None


def ccs03(dev, ctx, req):
    i = find(req, ZIGBEE_NETWORK_CONTROL, DEVICE_LOG, RESTORE, dlms.ACTION)
    pan, items = req.data[i][1]
    rows = [[bytes(it[1][0][1]), bytes(it[1][1][1]), None] for it in items[1]]
    if not dev.log.restore(bytes(pan[1]), rows, ctx.now):
        return {i: cosem.R_TEMPORARY_FAILURE}
    _changed(dev, ctx)
    return None


def bind(model):
    model.attribute(ZIGBEE_NETWORK_CONTROL, DEVICE_LOG, ACTIVE_DEVICES, active_devices, load_active_devices)
    model.action(ZIGBEE_NETWORK_CONTROL, DEVICE_LOG, BACKUP, _backup_action(False))
    model.action(ZIGBEE_NETWORK_CONTROL, HISTORIC_LOG, BACKUP, _backup_action(True))
    model.action_loader(ZIGBEE_NETWORK_CONTROL, DEVICE_LOG, BACKUP, lambda dev, v: load_backup(dev, v))
    model.action_loader(
        ZIGBEE_NETWORK_CONTROL, HISTORIC_LOG, BACKUP, lambda dev, v: load_backup(dev, v, True)
    )


def chf_use_cases():
    return (
        entry("CCS01", ACB, dlms_use_case(ccs01), replay=True),
        entry("CCS02", ACB, dlms_use_case(ccs02), replay=True),
        entry("CCS03", ACB, dlms_use_case(ccs03), replay=True),
        entry("CCS04", ACB, dlms_use_case()),
        entry("CCS06", ACB, dlms_use_case()),
        entry("CCS07", ACB, dlms_use_case()),
    )
