"""Keys known to one party, by (EUI-64, usage): raw P-256 scalars and points, nothing else.

Usage names follow the keystore file names DCC's tools read (`<eui>-ds.pem`, `<eui>-ka.key`,
`<eui>-pp-ka.key`): "ds" digital signing, "ka" key agreement, "pp-ka" the supplier's prepayment
top-up key agreement key. Loading files is the caller's business (host or test); the ring only holds.
"""

USAGE_DS = "ds"
USAGE_KA = "ka"
USAGE_PP_KA = "pp-ka"
USAGES = (USAGE_DS, USAGE_KA, USAGE_PP_KA)


class KeyRing:
    __slots__ = ("_private", "_public")

    def __init__(self):
        self._private = {}
        self._public = {}

    def add_private(self, eui, usage, scalar, public=None):
        self._private[(bytes(eui), usage)] = bytes(scalar)
        if public is not None:
            self._public[(bytes(eui), usage)] = bytes(public)

    def add_public(self, eui, usage, point):
        self._public[(bytes(eui), usage)] = bytes(point)

    def private(self, eui, usage):
        return self._private.get((bytes(eui), usage))

    def public(self, eui, usage):
        return self._public.get((bytes(eui), usage))

    def private_euis(self, usage):
        """EUIs holding a private key of this usage, sorted (dicts are unordered on MicroPython)."""
        return sorted(eui for (eui, u) in self._private if u == usage)

    def __len__(self):
        return len(set(self._private) | set(self._public))
