"""The one exception the wire codecs raise: what was wrong and at which byte offset."""


class DecodeError(ValueError):
    """Malformed input. `offset` is the byte position in the buffer being decoded (or None)."""

    def __init__(self, message, offset=None):
        if offset is not None:
            message = "%s at offset %d" % (message, offset)
        super().__init__(message)
        self.offset = offset


class EncodeError(ValueError):
    """A structure that cannot be written as bytes (a value out of range, a wrong type)."""

    def __init__(self, message):
        super().__init__(message)
