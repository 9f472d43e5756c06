"""The Communications Hub Function (CHF): DLMS/COSEM, its device log and historic device log, its
own reads; the premises (smets.premises) routes everything else.

The device log holds up to 16 devices (EUI-64 and the key field: the install code until the device
has joined, then the hashed Trust Centre link key); removing a device keeps its key in the historic
log (15 entries, oldest overwritten; never the GPF) [S5 sizes; ../shared/spec/SMETS-GBCS.md §2.15].
"""

from smets.devices import trust as tr
from smets.devices.esme import DlmsDevice
from smets.usecases import chf_log, logs, reads, registry
from smets.usecases import cosem as _cosem

DEVICE_LOG_SIZE = 16
HISTORIC_LOG_SIZE = 15


class ChfDeviceLog:
    """entries: [EUI, key octets, HAN diagnostics (list of Data values) or None]; historic: [EUI, key]."""

    __slots__ = ("entries", "historic", "ext_pan_id", "changed_at")

    def __init__(self, ext_pan_id=b"\x00" * 8):
        self.entries = []
        self.historic = []
        self.ext_pan_id = bytes(ext_pan_id)
        self.changed_at = 0

    def find(self, eui):
        for e in self.entries:
            if e[0] == eui:
                return e
        return None

    def add(self, eui, key):
        """True when added, False when already there (key ignored), None when the log is full."""
        if self.find(eui) is not None:
            return False
        if len(self.entries) >= DEVICE_LOG_SIZE:
            return None
        for h in self.historic:
            if h[0] == eui:  # a device coming back rejoins with the link key it had
                key = h[1]
        self.entries.append([bytes(eui), bytes(key), None])
        return True

    def remove(self, eui, keep_history=True):
        row = self.find(eui)
        if row is None:
            return False
        self.entries.remove(row)
        if keep_history:
            self.historic = [h for h in self.historic if h[0] != eui]
            self.historic.append([row[0], row[1]])
            if len(self.historic) > HISTORIC_LOG_SIZE:
                self.historic.pop(0)
        return True

    def restore(self, ext_pan_id, rows, now):
        if len(rows) > DEVICE_LOG_SIZE:
            return False
        self.ext_pan_id = bytes(ext_pan_id)
        self.entries = [[bytes(r[0]), bytes(r[1]), r[2] if len(r) > 2 else None] for r in rows]
        self.changed_at = now
        return True


def _chf_entries():
    return list(chf_log.chf_use_cases()) + list(reads.chf_use_cases())


def chf_usecases():
    return registry.shared_table("chf", _chf_entries)


_MODEL = None


def chf_model():
    global _MODEL
    if _MODEL is None:
        m = _cosem.Model()
        chf_log.bind(m)
        logs.bind_clock(m)
        _MODEL = m
    return _MODEL


class Chf(DlmsDevice):
    device_type = 2
    name = "CHF"

    def __init__(
        self, eui, provider, ds_private, ka, trust, now=0, alert_counter=1, ds_public=None, gpf_eui=None
    ):
        super().__init__(
            eui, provider, ds_private, ka, trust, chf_usecases(), chf_model(), alert_counter, ds_public
        )
        self.log = ChfDeviceLog()
        self.log.changed_at = now
        self.gpf_eui = gpf_eui
        self.now = now

    def trust_acb(self):
        return self.trust.eui(tr.ROLE_ACB)
