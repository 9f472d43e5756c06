"""The gas smart meter (GSME): GBZ/ZSE use cases over smets.behaviour.meter.GsmeBehaviour, and the
base every GBZ device (GSME, GPF) shares: GBZ alerts (alert code and ZigBee UTC time in the GBZ
header) and the FDEIA-GBZ future-dated alert (message code 0x00CD).

The GSME is a sleepy device: in a premises its commands wait at the CHF until it wakes
(smets.premises); on its own it answers whatever it is handed.
"""

from smets.behaviour.meter import GsmeBehaviour
from smets.devices.device import Device
from smets.devices.metering import MeterDevice
from smets.usecases import gas, registry, zse
from smets.usecases.store import Store
from smets.wire import gbz

MC_FDEIA_GBZ = 0x00CD


class GbzDevice(Device):
    future_message_code = MC_FDEIA_GBZ
    urp_counter = False

    def __init__(
        self, eui, provider, ds_private, ka, trust, usecases, zmodel, alert_counter=1, ds_public=None
    ):
        super().__init__(eui, provider, ds_private, ka, trust, usecases, alert_counter, ds_public)
        self.zmodel = zmodel
        self.zstore = Store(zse.STORE_LIMIT)
        self.data_stamp = None  # (time, DLMS clock status) of the data dated reads return

    def alert_payload(self, code, t, counter, extra):
        body = None
        count = 0
        if extra:
            v = extra[0]
            if isinstance(v, gbz.FutureDatedAlert):
                body, count = v, 1
            else:
                body = bytes(v)
        return gbz.build_payload(gbz.Gbz([], code, t & 0xFFFFFFFF, body, count))

    def future_extra(self, item):
        return [
            gbz.FutureDatedAlert(item.message_code, item.counter, item.class_id, item.instance[0], item.attr)
        ]

    # attribute access for the host (priming, mirroring, tests)
    def read(self, cluster, attr_id):
        return zse.read(self, cluster, attr_id)

    def load(self, cluster, attr_id, type_id, value):
        zse.load(self, cluster, attr_id, type_id, value)

    def load_response(self, cluster, command_id, cmd):
        return zse.load_response(self, cluster, command_id, cmd)


def gsme_usecases():
    return registry.shared_table("gsme", gas.gsme_use_cases)


class Gsme(MeterDevice, GbzDevice):
    device_type = 1
    name = "GSME"

    def __init__(
        self,
        eui,
        provider,
        ds_private,
        ka,
        trust,
        now=0,
        meter=None,
        alert_counter=1,
        ds_public=None,
        log_sizes=None,
        settings=None,
    ):
        # explicit base: super() with two bases is not reliable on MicroPython
        GbzDevice.__init__(
            self,
            eui,
            provider,
            ds_private,
            ka,
            trust,
            gsme_usecases(),
            gas.gsme_model(),
            alert_counter,
            ds_public,
        )
        self.meter = meter if meter is not None else GsmeBehaviour(now, log_sizes, settings)
        self.now = now
        self.last_top_up = 0
        self.friendly_credit = (1, 0)  # (non-disablement calendar in force, its calendar ID) [I]
        self.top_up_log = []  # (UTRN digits, amount, time), oldest first, the last 5
        self.debt_log = None  # loaded debt payments (time, amount, ZSE type, outstanding), or None
        self.billing_period = None  # the Publish Billing Period fields last set (GCS25/25a)
        self.snapshots = None  # loaded snapshots (cluster -> list), else the behaviour's (usecases.snapshots)
        self.calendars = []  # calendar items kept as sent (usecases.calendars)
        self.tariff_items = []  # Price cluster tariff items kept as sent (usecases.zse_tariff)
        self.price = None  # the Publish Price fields held (GCS21f)
        self.join_log = []  # (EUI-64, GBCS device type) of the devices it may talk to (CS07)
        self.samples = {}  # sample ID -> [(start, value)...] held as given (gas network data, GCS18)

    def top_up(self, digits, frame, now):
        """CS01b: as the ESME's CS01a; a credited top-up also goes to the GSME's top-up log."""
        self.last_top_up = 0
        code, topup, u = self.apply_utrn(digits, frame, now)
        if code == 0:
            self.last_top_up = topup.amount()
            gas.remember_top_up(self, u.digits.encode(), self.last_top_up, now)
        return code
