"""Read use cases on DLMS devices. A read runs every request specification against the device's
COSEM objects (bound behaviour state or the attribute store) and answers with the values; the
sensitive ones (ECS19 prepayment registers, the 4.1.x register reads) arrive as
get_protected_attributes requests and leave encrypted (smets.usecases.cosem.get_protected).

Roles and date-time presence are the GBCS facts per use case (GBCS use-case table; RTDS 4.5.0).
"""

from smets.usecases.common import ACB, SUPPLIER, SUPPLIER_ACB, SUPPLIER_NO, SUPPLIER_NO_ACB, dlms_use_case
from smets.usecases.registry import entry

# (use case, roles, response carries a date-time)
ESME_READS = (
    ("ECS17a", SUPPLIER_NO, True),
    ("ECS17b", SUPPLIER_NO, True),
    ("ECS17c", SUPPLIER_NO, True),
    ("ECS17d", SUPPLIER_NO, True),
    ("ECS17e", SUPPLIER_NO, True),
    ("ECS18a", SUPPLIER_NO_ACB, True),
    ("ECS18b", SUPPLIER_NO_ACB, True),
    ("ECS19", SUPPLIER, True),
    ("ECS20a", SUPPLIER_ACB, False),
    ("ECS20b", SUPPLIER_ACB, False),
    ("ECS20c", SUPPLIER_ACB, False),
    ("ECS20d", SUPPLIER_ACB, False),
    ("ECS21a", SUPPLIER_ACB, False),
    ("ECS21b", SUPPLIER_ACB, False),
    ("ECS21c", ACB, False),
    ("ECS22a", SUPPLIER_NO_ACB, False),
    ("ECS22b", SUPPLIER_NO_ACB, False),
    ("ECS22c", SUPPLIER_NO_ACB, False),
    ("ECS23", SUPPLIER_NO_ACB, True),
    ("ECS23b", SUPPLIER_NO_ACB, True),
    ("ECS24", SUPPLIER_ACB, False),
    ("ECS24b", SUPPLIER_ACB, False),
    ("ECS26a", SUPPLIER, False),
    ("ECS26b", SUPPLIER_NO_ACB, False),
    ("ECS26c", SUPPLIER_NO_ACB, False),
    ("ECS26d", SUPPLIER_ACB, False),
    ("ECS26e", SUPPLIER_NO_ACB, False),
    ("ECS26f", SUPPLIER_ACB, False),
    ("ECS26j", SUPPLIER_ACB, False),
    ("ECS26k", SUPPLIER_NO_ACB, False),
    ("ECS26l", SUPPLIER_ACB, False),
    ("ECS26m", SUPPLIER_NO_ACB, False),
    ("ECS27", SUPPLIER_NO_ACB, False),
    ("ECS35a", SUPPLIER_NO_ACB, False),
    ("ECS35b", SUPPLIER_NO_ACB, False),
    ("ECS35e", SUPPLIER_NO_ACB, False),
    ("ECS35f", SUPPLIER_NO_ACB, False),
    ("ECS35g", SUPPLIER_NO_ACB, False),
    ("ECS40", SUPPLIER_NO_ACB, False),
    ("ECS52", SUPPLIER_NO_ACB, False),
    ("ECS66", SUPPLIER_NO_ACB, False),
    ("ECS82", SUPPLIER, False),
)

CHF_READS = (
    ("ECS26i", SUPPLIER_NO_ACB, False),
    ("ECS26n", ACB, False),
    ("ECS35c", ACB, False),
    ("ECS35d", ACB, False),
    ("ECS52", SUPPLIER_NO_ACB, False),
)


def use_cases(reads):
    handler = dlms_use_case()
    return tuple(entry(name, roles, handler, dated=dated) for name, roles, dated in reads)


def esme_use_cases():
    return use_cases(ESME_READS)


def chf_use_cases():
    return use_cases(CHF_READS)
