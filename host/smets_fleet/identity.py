"""Deterministic identities: every EUI and key pair of a fleet from a seed and a premises number.

A restarted shard, another host running the next slice, the head end and a board configured for
premises n all derive the same devices and remote parties from (seed, n) alone; nothing about
identities needs to be stored or shared. Private scalars are HMAC-SHA256(seed, label) reduced into
[1, n-1] of P-256, so they are uniform, independent per label and reproducible.

EUI-64s (one table, ``DEVICE_KIND_CODES``): devices are ``BC FE <kind> <premises number, 5 octets>``;
the remote parties use the DCC-style EUIs of ``PARTY_EUIS``.
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass
from typing import Any

from smets.build import PARTY_ROLES

_N = 0xFFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551

DEVICE_PREFIX = b"\xbc\xfe"
DEVICE_KIND_CODES = {
    "chf": 0x01,
    "gpf": 0x02,
    "esme": 0x03,
    "gsme": 0x04,
    "ppmid": 0x05,
    "ihd": 0x06,
    "hcalcs": 0x07,
}
MAX_PREMISES = 1 << 40

# Remote parties of the test fleet (role name as in smets.build.PARTY_ROLES -> EUI-64).
PARTY_EUIS = {
    "root": bytes.fromhex("90b3d51f30ff0000"),
    "recovery": bytes.fromhex("90b3d51f30fe0000"),
    "supplier": bytes.fromhex("90b3d51f30010000"),
    "network_operator": bytes.fromhex("90b3d51f30020000"),
    "acb": bytes.fromhex("90b3d51f30000002"),
    "transitional_cos": bytes.fromhex("90b3d51f30000003"),
    "wan_provider": bytes.fromhex("90b3d51f30000001"),
}
assert {name for name, _ in PARTY_ROLES} == set(PARTY_EUIS)

DEFAULT_SEED = "smets-fleet"


def scalar(seed: str, label: str) -> bytes:
    """A P-256 private scalar (32 octets) for `label` under `seed`."""
    d = int.from_bytes(hmac.new(seed.encode(), label.encode(), hashlib.sha256).digest(), "big")
    return (d % (_N - 1) + 1).to_bytes(32, "big")


def device_eui(kind: str, number: int) -> bytes:
    if not 0 <= number < MAX_PREMISES:
        raise ValueError("premises number out of range: %d" % number)
    return DEVICE_PREFIX + bytes((DEVICE_KIND_CODES[kind],)) + number.to_bytes(5, "big")


def premises_number(eui: bytes) -> int | None:
    """The premises number in one of our device EUIs, or None."""
    if len(eui) != 8 or eui[:2] != DEVICE_PREFIX:
        return None
    return int.from_bytes(eui[3:], "big")


@dataclass(frozen=True)
class KeyPair:
    private: bytes
    public: bytes


@dataclass(frozen=True)
class Party:
    """A remote party (or a device): its EUI and key pairs. `ka_prepayment` is the supplier's
    prepayment top-up KA key (UTRNs); None for the others."""

    name: str
    eui: bytes
    ds: KeyPair
    ka: KeyPair
    ka_prepayment: KeyPair | None = None

    def public_config(self) -> dict[str, str]:
        out = {"eui": self.eui.hex(), "ds": self.ds.public.hex(), "ka": self.ka.public.hex()}
        if self.ka_prepayment is not None:
            out["ka_prepayment"] = self.ka_prepayment.public.hex()
        return out

    def private_config(self) -> dict[str, str]:
        """The device-side configuration (private scalars, and the public keys to save deriving)."""
        return {
            "eui": self.eui.hex(),
            "ds": self.ds.private.hex(),
            "ka": self.ka.private.hex(),
            "ds_pub": self.ds.public.hex(),
            "ka_pub": self.ka.public.hex(),
        }


def _pair(provider: Any, seed: str, label: str) -> KeyPair:
    private = scalar(seed, label)
    return KeyPair(private, provider.public_key(private))


def party(provider: Any, seed: str, name: str) -> Party:
    eui = PARTY_EUIS[name]
    prepay = _pair(provider, seed, "party %s ka prepayment" % name) if name == "supplier" else None
    ds = _pair(provider, seed, "party %s ds" % name)
    return Party(name, eui, ds, _pair(provider, seed, "party %s ka" % name), prepay)


def parties(provider: Any, seed: str = DEFAULT_SEED) -> dict[str, Party]:
    return {name: party(provider, seed, name) for name in PARTY_EUIS}


def device(provider: Any, seed: str, kind: str, number: int) -> Party:
    eui = device_eui(kind, number)
    label = "device %s %d" % (kind, number)
    return Party(kind, eui, _pair(provider, seed, label + " ds"), _pair(provider, seed, label + " ka"))


DEFAULT_MIX = ("esme", "gsme")
# What `meters` of premises_config may name: the meters, and the HAN devices that are not meters.
PREMISES_KINDS = ("esme", "gsme", "ppmid", "ihd", "hcalcs")


def premises_config(
    provider: Any,
    number: int,
    seed: str = DEFAULT_SEED,
    meters: tuple[str, ...] = DEFAULT_MIX,
    remote: dict[str, Party] | None = None,
    wake_interval: int | None = None,
    log_sizes: str = "full",
) -> dict[str, Any]:
    """The smets.build configuration of premises `number`: a CHF, the devices `meters` names (of
    PREMISES_KINDS: meters, a GSME bringing its GPF, and the HAN devices PPMID, IHD, HCALCS), the
    remote parties' public keys."""
    remote = remote if remote is not None else parties(provider, seed)
    kinds = ["chf"]
    for m in meters:
        if m not in PREMISES_KINDS:
            raise ValueError("unknown device kind %r (one of %s)" % (m, ", ".join(PREMISES_KINDS)))
        if m == "gsme":
            kinds.append("gpf")
        kinds.append(m)
    cfg: dict[str, Any] = {kind: device(provider, seed, kind, number).private_config() for kind in kinds}
    cfg["parties"] = {name: p.public_config() for name, p in remote.items()}
    cfg["log_sizes"] = log_sizes
    if wake_interval is not None:
        cfg["wake_interval"] = wake_interval
    return cfg
