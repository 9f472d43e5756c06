"""Trust anchor cells: what a device knows about the remote parties it obeys.

GBCS addresses a cell by (remote party role, key usage, cell usage). Each holds the party's entity
identifier (EUI-64), its public key and a sequence number (the floor below which that party's
originator counters are refused after a credential change). Roles, usages and cell usages are the
GBCS numbers (see ../shared/spec/SMETS-GBCS.md §3.6 and the CS02b decodes).
"""

from smets.compat import const

ROLE_ROOT = const(0)
ROLE_RECOVERY = const(1)
ROLE_SUPPLIER = const(2)
ROLE_NETWORK_OPERATOR = const(3)
ROLE_ACB = const(4)
ROLE_TRANSITIONAL_COS = const(5)
ROLE_WAN_PROVIDER = const(6)
ROLE_ISSUING_AUTHORITY = const(7)
ROLE_LOAD_CONTROLLER = const(8)

USAGE_DS = "ds"  # digital signing (same names as smets.security.keyring)
USAGE_KA = "ka"  # key agreement

CELL_MANAGEMENT = const(0)
CELL_PREPAYMENT_TOP_UP = const(1)


class Anchor:
    __slots__ = ("eui", "public", "floor")

    def __init__(self, eui, public, floor=0):
        self.eui = bytes(eui)
        self.public = bytes(public) if public is not None else None
        self.floor = floor


class TrustAnchors:
    """The cells of one device. Keys are (role, usage, cell usage) tuples."""

    __slots__ = ("cells",)

    def __init__(self):
        self.cells = {}

    def set(self, role, usage, eui, public, cell=CELL_MANAGEMENT, floor=0):
        self.cells[(role, usage, cell)] = Anchor(eui, public, floor)

    def get(self, role, usage, cell=CELL_MANAGEMENT):
        return self.cells.get((role, usage, cell))

    def public(self, role, usage, cell=CELL_MANAGEMENT):
        a = self.cells.get((role, usage, cell))
        return a.public if a is not None else None

    def eui(self, role):
        """The entity identifier a role's management cells name (DS first, then KA), or None."""
        for usage in (USAGE_DS, USAGE_KA):
            a = self.cells.get((role, usage, CELL_MANAGEMENT))
            if a is not None:
                return a.eui
        return None

    def roles_of(self, eui):
        """Every role whose management cells name `eui`, ascending (one party may hold two)."""
        eui = bytes(eui)
        out = []
        for (role, _usage, cell), a in self.cells.items():
            if cell == CELL_MANAGEMENT and a.eui == eui and role not in out:
                out.append(role)
        out.sort()
        return out

    def party_public(self, eui, usage):
        """The public key of `usage` for the party `eui` in any management cell, or None."""
        eui = bytes(eui)
        for (_role, u, cell), a in self.cells.items():
            if u == usage and cell == CELL_MANAGEMENT and a.eui == eui:
                return a.public
        return None
