"""The host side of the SMETS2 emulator (CPython only): crypto provider on `cryptography`,
keystores, the `smets-fleet` command, and (later) the fleet runner and head end."""
