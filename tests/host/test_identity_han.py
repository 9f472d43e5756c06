"""smets_fleet.identity with HAN devices: premises_config names PPMID, IHD and HCALCS like meters,
their EUIs carry the kind codes 0x05, 0x06, 0x07 (``BC FE <kind> <premises number>``), and
smets.build turns the configuration into a premises holding them; the default mix is unchanged.
"""

from __future__ import annotations

import pytest

from smets.build import build_premises
from smets_fleet.crypto_host import HostCrypto
from smets_fleet.identity import premises_config

P = HostCrypto()


def test_han_devices_in_a_fleet_premises() -> None:
    cfg = premises_config(P, 0x0102030405, meters=("esme", "ppmid", "ihd", "hcalcs"))
    assert cfg["ppmid"]["eui"] == "bcfe050102030405"
    assert cfg["ihd"]["eui"] == "bcfe060102030405"
    assert cfg["hcalcs"]["eui"] == "bcfe070102030405"
    pr = build_premises(cfg, P)
    assert [(d.name, d.eui.hex()) for d in pr.han] == [
        ("PPMID", "bcfe050102030405"),
        ("IHD", "bcfe060102030405"),
        ("HCALCS", "bcfe070102030405"),
    ]
    assert pr.gsme is None and pr.han_device("PPMID").meters == [pr.esme]


def test_default_mix_has_no_han_devices() -> None:
    cfg = premises_config(P, 7)
    assert not {"ppmid", "ihd", "hcalcs"} & set(cfg)
    assert build_premises(cfg, P).han == ()


def test_unknown_kind_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown device kind 'toaster'"):
        premises_config(P, 1, meters=("toaster",))
