"""The electricity smart meter (ESME): DLMS/COSEM use cases over the SMETS behaviour of
smets.behaviour.meter.EsmeBehaviour.

Stimuli (the physical world): ``consume(now, wh)``, ``press_ec_button(now)``,
``press_supply_button(now)``, ``power_off(now)`` / ``power_on(now)``, ``drift(seconds)``. Each
returns the alert frames it caused, like ``tick``.
"""

from smets.behaviour.meter import EsmeBehaviour
from smets.devices import trust as tr
from smets.devices.device import Device
from smets.devices.metering import MeterDevice
from smets.usecases import cosem, esme_model, firmware, logs, prepayment, reads, registry, supply, tariff
from smets.usecases.store import Store
from smets.wire import dlms
from smets.wire import dlms_axdr as ax

OUTAGE_REPORTED = 180  # seconds: "Supply Outage Restored - Outage >= 3 minutes"
SUPPLY_OUTAGE_RESTORED = 0x8F36
MC_ECS80 = 0x0067

# SECMP0002 resets: an ESME installed before them need not support them (it answers "not supported").
DEBT_RESET_USE_CASES = ("ECS07R1", "ECS07R2", "ECS07R3")


def esme_usecases(debt_reset=True):
    """The ESME's use-case table (built once per profile, shared by every ESME of that profile)."""

    def build():
        entries = []
        families = (
            prepayment.esme_use_cases,
            supply.esme_use_cases,
            reads.esme_use_cases,
            tariff.esme_use_cases,
            logs.esme_use_cases,
            firmware.use_cases,
        )
        for family in families:
            for e in family():
                if debt_reset or e.name not in DEBT_RESET_USE_CASES:
                    entries.append(e)
        return entries

    return registry.shared_table(("esme", debt_reset), build)


_MODEL = None


def esme_model_bindings():
    global _MODEL
    if _MODEL is None:
        m = esme_model.model()
        logs.bind_clock(m)
        tariff.bind(m)
        prepayment.bind(m)
        _MODEL = m
    return _MODEL


class DlmsDevice(Device):
    """A device whose payloads are DLMS (ESME, CHF): alerts are Data-Notifications."""

    def __init__(
        self, eui, provider, ds_private, ka, trust, usecases, model, alert_counter=1, ds_public=None
    ):
        super().__init__(eui, provider, ds_private, ka, trust, usecases, alert_counter, ds_public)
        self.model = model
        self.store = Store(cosem.STORE_LIMIT)

    def alert_payload(self, code, t, counter, extra):
        body = [(ax.T_LONG_UNSIGNED, code), (ax.T_OCTET_STRING, self.wire_time(t))]
        if extra:
            for v in extra:
                body.append((ax.T_OCTET_STRING, bytes(v)) if isinstance(v, (bytes, bytearray)) else v)
        invoke = dlms.BREAK_ON_ERROR | (counter & dlms.INVOKE_ID_MASK)
        return dlms.build_payload(dlms.DataNotification(invoke, (ax.T_STRUCTURE, body)))

    def future_extra(self, item):
        return [
            dlms.pack_future_dated(item.message_code, item.counter, item.class_id, item.instance, item.attr)
        ]

    # attribute access for the host (priming a device, conformance tests)
    def read(self, class_id, instance, attr):
        return cosem.read(self, class_id, instance, attr)

    def load(self, class_id, instance, attr, value):
        cosem.load(self, class_id, instance, attr, value)

    def load_action(self, class_id, instance, method, value):
        return cosem.load_action(self, class_id, instance, method, value)


class Esme(MeterDevice, DlmsDevice):
    device_type = 0
    name = "ESME"

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
        debt_reset=True,
    ):
        # explicit base: super() with two bases is not reliable on MicroPython
        DlmsDevice.__init__(
            self,
            eui,
            provider,
            ds_private,
            ka,
            trust,
            esme_usecases(debt_reset),
            esme_model_bindings(),
            alert_counter,
            ds_public,
        )
        self.meter = meter if meter is not None else EsmeBehaviour(now, log_sizes, settings)
        self.meter.debt_reset_supported = debt_reset
        self.now = now

    # -- time and behaviour ----------------------------------------------------------------------
    def top_up(self, digits, frame, now):
        """CS01a: returns 0 when credited, else the refusal's alert code."""
        return self.apply_utrn(digits, frame, now)[0]

    def power_restored(self, off_at, now):
        """ECS80: an outage of 3 minutes or more raises 0x8F36 to the Network Operator with the time
        supply was lost and the time it came back [RTDS NA_ECS80 layout]."""
        if off_at is not None and now - off_at >= OUTAGE_REPORTED:
            extra = [self.wire_time(off_at), self.wire_time(now)]
            no = self.trust.eui(tr.ROLE_NETWORK_OPERATOR)
            self.raise_alert(SUPPLY_OUTAGE_RESTORED, now, extra, MC_ECS80, no)
