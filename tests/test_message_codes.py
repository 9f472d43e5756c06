"""The message code table (smets.wire.message_codes): every row of its text reads back, codes and use
case names are unique, and rows GBCS and RTDS 4.5.0 name come back as they stand there."""

from smets.wire import message_codes as mc
from support import raises


def rows():
    out = []
    for line in mc.MESSAGE_CODES.strip().split("\n"):
        out.append(mc.lookup(int(line[:4], 16)))
    return out


def test_every_row_reads_back_and_is_unique():
    rs = rows()
    assert len(rs) > 200
    codes = [r[0] for r in rs]
    names = [r[1] for r in rs]
    assert len(set(codes)) == len(codes) and len(set(names)) == len(names)
    categories = (mc.CRITICAL, mc.NON_CRITICAL, mc.ALERT_CRITICAL, mc.ALERT_NON_CRITICAL, mc.HAN_ONLY)
    for code, name, description, category in rs:
        assert category in categories and description and " " not in name
        assert mc.code_for(name) == code
        assert mc.use_case_name(code) == name


def test_rows_as_gbcs_has_them():
    # GBCS use-case table: CS01a top-up is non-critical, CS06 firmware activation critical; GCA/GNCA
    # the generic (non-)critical alerts; RTDS 4.5.0 file names: ECS04a is 0x001C.
    assert mc.lookup(0x0007) == (0x0007, "CS01a", "Apply Prepayment Top Up to an ESME", mc.NON_CRITICAL)
    assert mc.lookup(0x0012)[1:] == ("CS06", "Activate Firmware", mc.CRITICAL)
    assert mc.lookup(0x1000)[3] == mc.ALERT_CRITICAL and mc.lookup(0x1001)[3] == mc.ALERT_NON_CRITICAL
    assert mc.code_for("ECS04a") == 0x001C
    assert mc.category_name(mc.lookup(0x0116)[3]) == "HAN only"  # PECS01, from a PPMID


def test_unknown_codes_and_names():
    for code in (0x0000, 0x0005, 0xFFFF, -1, 0x10000, None):
        assert mc.lookup(code) is None
    assert mc.use_case_name(0x0005) == "unknown 0x0005"
    # a word of a description or a prefix of a name is not a use case
    for name in ("Device", "CS01", "ECS0", "", "Top Up"):
        raises(KeyError, mc.code_for, name)
