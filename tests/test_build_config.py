"""smets.build.parse_hex: a board parses its JSON configuration's hex once, in place, and the premises
it builds holds those very bytes (no text and copy side by side at the build, a board's heap peak);
the premises is the same as one built from the text, and bad hex is still reported by name."""

import json

from test_device_core import NOW, P
from test_persist import config

from smets import persist
from smets.build import ConfigError, build_premises, parse_hex
from smets.devices import trust as tr

HEX_FIELDS = ("eui", "ds", "ka", "ds_pub", "ka_pub", "ka_prepayment")


def _copy(cfg):
    return json.loads(json.dumps(cfg))


def test_every_key_and_eui_becomes_the_octets_of_its_hex():
    text = config(("chf", "esme"))
    cfg = _copy(text)
    parse_hex(cfg)
    seen = 0
    for group in (cfg, cfg["parties"]):
        for name, spec in group.items():
            if not isinstance(spec, dict) or name == "parties":
                continue
            src = text[name] if group is cfg else text["parties"][name]
            for field in HEX_FIELDS:
                if field in spec:
                    assert spec[field] == bytes.fromhex(src[field]), (name, field)
                    seen += 1
    # 2 devices x 5 fields, 3 parties x 3 fields (eui, ds, ka) and the supplier's prepayment key
    assert seen == 2 * 5 + 3 * 3 + 1
    assert cfg["log_sizes"] == "board"  # what is not a key stays as it is


def test_the_premises_shares_the_parsed_bytes_and_equals_one_built_from_text():
    cfg = config(("chf", "esme"))
    text_built = build_premises(_copy(cfg), P, NOW)
    parse_hex(cfg)
    parsed_built = build_premises(cfg, P, NOW)
    assert persist.to_json(persist.dump(parsed_built)) == persist.to_json(persist.dump(text_built))
    supplier = cfg["parties"]["supplier"]
    for dev in (parsed_built.chf, parsed_built.esme):
        anchor = dev.trust.get(tr.ROLE_SUPPLIER, tr.USAGE_DS)
        assert anchor.public is supplier["ds"]  # the very object: one copy on the heap
        assert anchor.eui is supplier["eui"]
    assert parsed_built.esme.ds_private is cfg["esme"]["ds"]


def test_bad_hex_is_left_for_the_build_to_name():
    cfg = config(("chf", "esme"))
    cfg["parties"]["acb"]["ds"] = "not hex"
    cfg["esme"]["eui"] = 12  # not text either
    parse_hex(cfg)
    assert cfg["parties"]["acb"]["ds"] == "not hex"
    assert cfg["esme"]["eui"] == 12
    try:
        build_premises(cfg, P, NOW)
    except ConfigError as e:
        assert "acb ds" in str(e), str(e)  # the parties' anchors are read first
    else:
        raise AssertionError("bad hex was built")


def test_no_parties_or_devices_is_not_an_error():
    cfg = {"log_sizes": "board", "parties": None, "esme": "x"}
    parse_hex(cfg)
    assert cfg == {"log_sizes": "board", "parties": None, "esme": "x"}
