"""GBCS devices: the security gate every device shares (device.py), the ESME, GSME, GPF and CHF,
their trust anchors (trust.py) and key agreement (keyagreement.py). Sans-I/O: frames in, frames out.
"""
