"""Attribute values a device was given but does not bind to behaviour, kept to be read back.

Bounded: once `limit` keys are held a new key is refused (put returns False), so a stream of
writes to ever-new attributes cannot grow a device without end.
"""


class Store:
    __slots__ = ("values", "limit")

    def __init__(self, limit):
        self.values = {}
        self.limit = limit

    def get(self, k):
        return self.values.get(k)

    def put(self, k, value):
        if k not in self.values and len(self.values) >= self.limit:
            return False
        self.values[k] = value
        return True
