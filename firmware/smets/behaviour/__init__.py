"""SMETS behaviour with no bytes in it: account, debt, emergency credit, tariff, supply, logs,
alerts and the firmware store, composed per meter kind in ``meter`` (EsmeBehaviour, GsmeBehaviour).

Money is an integer in 10^-5 of the currency unit, energy an integer in Wh, time an integer in UTC
seconds since 2000-01-01 (the ZigBee / MicroPython epoch). Every [I]-inferred choice is listed in
docs/behaviour.md and, where that is reasonable, is a field of ``settings.Settings``.
"""
