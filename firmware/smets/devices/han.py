"""The HAN devices that are not meters: the prepayment meter interface device (PPMID), the in-home
display (IHD) and the HAN-connected auxiliary load control switch (HCALCS).

Each is a device like the others (smets.devices.device: the same security gate, responses and
alerts protected with its own keys, its security log); in a premises the CHF routes a WAN frame to
it by recipient EUI. Device types are the GBCS DeviceType values: HCALCS 4, PPMID 5, and 6 ("Type
2") for the IHD [../shared/spec/SMETS-GBCS.md §2.13, §2.14].

* PPMID and HCALCS answer CS08 (read firmware version, smets.usecases.han).
* The IHD is a Type 2 device: no GBCS use case reaches it, so any command gets "not supported"
  after the gate.
* The PPMID and the IHD show what the meters of their premises hold (smets.devices.display); the
  PPMID also has the consumer's buttons: accept emergency credit and enable an armed supply, which
  reach the meters as their own button stimuli (PECS02/PECS03 on the ESME, PCS02 on the GSME).
  The frames a press causes come back at once, also the GSME's [I].

Their alerts are GBZ (ZigBee devices, like the GSME) [I].
"""

from smets.behaviour.firmware_store import FirmwareStore
from smets.devices.display import Display
from smets.devices.gsme import GbzDevice
from smets.usecases import han, registry

DEFAULT_FIRMWARE_VERSION = 0x00010000  # [I] the version an emulated HAN device runs unless told


def han_usecases():
    return registry.shared_table("han", han.use_cases)


def ihd_usecases():
    return registry.shared_table("ihd", tuple)


class HanDevice(GbzDevice):
    """What PPMID, IHD and HCALCS share: a firmware version and the meters of the premises."""

    def __init__(
        self,
        eui,
        provider,
        ds_private,
        ka,
        trust,
        usecases,
        now=0,
        alert_counter=1,
        ds_public=None,
        firmware_version=DEFAULT_FIRMWARE_VERSION,
    ):
        # no ZSE attribute model: nothing here is read or written as a ZSE attribute
        GbzDevice.__init__(
            self, eui, provider, ds_private, ka, trust, usecases, None, alert_counter, ds_public
        )
        self.now = now
        self.firmware = FirmwareStore(firmware_version)
        self.meters = []  # the meter devices (ESME, GSME) of the premises

    def attach(self, meters):
        """The meters of the premises this device talks to (None entries are skipped)."""
        self.meters = [m for m in meters if m is not None]


class DisplayDevice(HanDevice):
    """A HAN device with a screen (PPMID, IHD)."""

    def __init__(self, eui, provider, ds_private, ka, trust, usecases, now=0, **kw):
        HanDevice.__init__(self, eui, provider, ds_private, ka, trust, usecases, now, **kw)
        self.display = Display()

    def refresh(self, now):
        """Take the meters' values now; returns the Display."""
        return self.display.update([m.meter for m in self.meters], now)

    def display_lines(self, now):
        """What the screen shows at `now` (see smets.devices.display)."""
        return self.refresh(now).lines()


class Ppmid(DisplayDevice):
    device_type = 5
    name = "PPMID"

    def __init__(self, eui, provider, ds_private, ka, trust, now=0, **kw):
        DisplayDevice.__init__(self, eui, provider, ds_private, ka, trust, han_usecases(), now, **kw)

    def _press(self, now, fuel, button):
        out = []
        for m in self.meters:
            if fuel is None or (fuel == "E") == m.meter.is_esme:
                out += getattr(m, button)(now)
        return out

    def press_ec_button(self, now, fuel=None):
        """The consumer accepts emergency credit on the PPMID, for one fuel ("E", "G") or every
        meter; returns the frames the meters sent."""
        return self._press(now, fuel, "press_ec_button")

    def press_supply_button(self, now, fuel=None):
        """The consumer enables an armed supply from the PPMID; returns the frames the meters sent."""
        return self._press(now, fuel, "press_supply_button")


class Ihd(DisplayDevice):
    device_type = 6
    name = "IHD"

    def __init__(self, eui, provider, ds_private, ka, trust, now=0, **kw):
        DisplayDevice.__init__(self, eui, provider, ds_private, ka, trust, ihd_usecases(), now, **kw)


class Hcalcs(HanDevice):
    device_type = 4
    name = "HCALCS"

    def __init__(self, eui, provider, ds_private, ka, trust, now=0, **kw):
        HanDevice.__init__(self, eui, provider, ds_private, ka, trust, han_usecases(), now, **kw)
