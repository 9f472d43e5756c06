"""The SMETS2 device core: GBCS wire format, security and SMETS behaviour, sans-I/O.

Runs unchanged on MicroPython and CPython. Nothing in this package reads a clock, a socket,
a file or a pin: time comes in as an argument, keys and randomness through constructors.
"""

__version__ = "0.1.0"
