"""The ESME's tariff and non-disablement COSEM objects: which objects, attributes and script
selectors make the tariff (smets.usecases.dlms_tariff explains each and translates them), which of
them carry an activation, and what activating one copies.

Apart from the translation so that a device imports only these tables until a tariff command
arrives: on a board every function and string constant of an imported module is heap.
"""

from smets.behaviour.tariff import HYBRID_BLOCK_BASE

ACTIVITY_CALENDAR = 20
SPECIAL_DAYS_TABLE = 11
REGISTER_MONITOR = 21
CHARGE = 113
EXTENDED = 9000

PRIMARY_CALENDAR = b"\x00\x00\x0d\x00\x00\xff"
SECONDARY_CALENDAR = b"\x00\x00\x0d\x00\x01\xff"
PRIMARY_SPECIAL_DAYS = b"\x00\x00\x0b\x00\x00\xff"
PRIMARY_SPECIAL_DAYS_PASSIVE = b"\x00\x01\x0b\x00\x00\xff"
PRIMARY_SPECIAL_DAYS_ACTIVATION = b"\x00\x00\x5e\x2c\x80\x1d"
SECONDARY_SPECIAL_DAYS = b"\x00\x00\x0b\x00\x01\xff"
SECONDARY_SPECIAL_DAYS_PASSIVE = b"\x00\x01\x0b\x00\x01\xff"
SECONDARY_SPECIAL_DAYS_ACTIVATION = b"\x00\x00\x5e\x2c\x80\x1e"
THRESHOLD_MATRIX = b"\x00\x00\x3f\x01\x01\xff"
PRICE_MATRIX = b"\x00\x00\x13\x14\x00\xff"
STANDING_CHARGE = b"\x00\x00\x13\x14\x04\xff"
SECONDARY_PRICES = b"\x00\x00\x13\x14\x05\xff"
BLOCK_SETS = 8
SCHEDULE = 10
ND_CALENDAR = b"\x00\x00\x0c\x00\x01\xff"
ND_CALENDAR_PASSIVE = b"\x00\x01\x0c\x00\x01\xff"
ND_ACTIVATION = b"\x00\x00\x5e\x2c\x80\x1c"
ND_SPECIAL_DAYS = b"\x00\x00\x0b\x00\x02\xff"
ND_SPECIAL_DAYS_PASSIVE = b"\x00\x01\x0b\x00\x02\xff"
ND_SPECIAL_DAYS_ACTIVATION = b"\x00\x00\x5e\x2c\x80\x1f"
ND_START = 32  # script selectors on 0-0:10.0.106.255
ND_STOP = 33


def thresholds_active(s):
    """Register monitor holding block set s's (1..8) thresholds in force."""
    return bytes((0, 0, 16, 0, 10 + s, 255))


def thresholds_passive(s):
    return bytes((0, 0, 16, 1, 10 + s, 255))


# Activity calendar attributes (passive -> active is cosem.ACTIVATION_COPIES) and the others used.
SEASONS_ACTIVE = 3
WEEKS_ACTIVE = 4
DAYS_ACTIVE = 5
ENTRIES = 2  # special days table entries; register monitor thresholds
UNIT_CHARGE_ACTIVE = 5

# Script selectors (GBCS 7.3.7).
TOU_RATES = 48
BLOCK_SELECTOR_BASE = HYBRID_BLOCK_BASE  # the behaviour's hybrid calendar keeps the selectors as sent
SECONDARY_SELECTOR_BASE = 200
SECONDARY_RATES = 4
# Charge table indices of the block prices: high nibble 0xA..0xD = block 1..4, low nibble = set.
BLOCK_INDEX_BASE = 0xA0

# Objects whose activation copies between objects (cosem.Model.link): the activation carrier,
# then (passive, active) attribute pairs.
LINKED_COPIES = (
    (
        (EXTENDED, PRIMARY_SPECIAL_DAYS_ACTIVATION),
        (
            (
                (SPECIAL_DAYS_TABLE, PRIMARY_SPECIAL_DAYS_PASSIVE, ENTRIES),
                (SPECIAL_DAYS_TABLE, PRIMARY_SPECIAL_DAYS, ENTRIES),
            ),
        ),
    ),
    (
        (EXTENDED, SECONDARY_SPECIAL_DAYS_ACTIVATION),
        (
            (
                (SPECIAL_DAYS_TABLE, SECONDARY_SPECIAL_DAYS_PASSIVE, ENTRIES),
                (SPECIAL_DAYS_TABLE, SECONDARY_SPECIAL_DAYS, ENTRIES),
            ),
        ),
    ),
    (
        (EXTENDED, THRESHOLD_MATRIX),
        tuple(
            (
                (REGISTER_MONITOR, thresholds_passive(s), ENTRIES),
                (REGISTER_MONITOR, thresholds_active(s), ENTRIES),
            )
            for s in range(1, BLOCK_SETS + 1)
        ),
    ),
    (
        (EXTENDED, ND_ACTIVATION),
        (((SCHEDULE, ND_CALENDAR_PASSIVE, ENTRIES), (SCHEDULE, ND_CALENDAR, ENTRIES)),),
    ),
    (
        (EXTENDED, ND_SPECIAL_DAYS_ACTIVATION),
        (
            (
                (SPECIAL_DAYS_TABLE, ND_SPECIAL_DAYS_PASSIVE, ENTRIES),
                (SPECIAL_DAYS_TABLE, ND_SPECIAL_DAYS, ENTRIES),
            ),
        ),
    ),
)

# The activation carriers whose activation changes what consumption costs (the currency unit does not).
PRICED = (
    (ACTIVITY_CALENDAR, PRIMARY_CALENDAR),
    (ACTIVITY_CALENDAR, SECONDARY_CALENDAR),
    (EXTENDED, PRIMARY_SPECIAL_DAYS_ACTIVATION),
    (EXTENDED, SECONDARY_SPECIAL_DAYS_ACTIVATION),
    (EXTENDED, THRESHOLD_MATRIX),
    (CHARGE, PRICE_MATRIX),
    (CHARGE, STANDING_CHARGE),
    (CHARGE, SECONDARY_PRICES),
)


# The activation carriers of the non-disablement calendar.
ND_CARRIERS = ((EXTENDED, ND_ACTIVATION), (EXTENDED, ND_SPECIAL_DAYS_ACTIVATION))
