"""The Gas Proxy Function (GPF): a GBZ device in the Comms Hub that mirrors the GSME and answers
most gas reads for it (../shared/spec/SMETS-GBCS.md §2.12). Its attributes are the mirror: the
premises copies the GSME's state into them (smets.premises), and a tapped-off GSME configuration
command updates them once the GSME has accepted it.
"""

from smets.devices.gsme import GbzDevice
from smets.usecases import gas, registry


def gpf_usecases():
    return registry.shared_table("gpf", gas.gpf_use_cases)


class Gpf(GbzDevice):
    device_type = 3
    name = "GPF"

    def __init__(self, eui, provider, ds_private, ka, trust, now=0, alert_counter=1, ds_public=None):
        super().__init__(
            eui, provider, ds_private, ka, trust, gpf_usecases(), gas.gpf_model(), alert_counter, ds_public
        )
        self.now = now
        self.samples = {}  # sample ID -> [(start, value)...]: the mirrored profile and daily logs
