"""Firmware image store: receipt check, manufacturer image hash, activation, version reporting.

The store keeps only what it needs after receipt (header fields, the SHA-256 of the manufacturer
image, the outcome), never the image itself, so 100,000 emulated meters cost nothing extra.

* Receipt: the image must start with a ZigBee OTA header (magic 0x0BEEF11E, header length >= 56,
  total image size equal to the bytes received), match the meter's manufacturer code and image
  type when those are set, and pass the signature hook when one is given. Outcome 0x8F72 (verified)
  or 0x8F1C (failed) together with the calculated hash.
* The manufacturer image hash is SHA-256 over the bytes after the OTA header [I]
  (``Settings.firmware_hash_skips_ota_header``; False hashes the whole file).
* Activation (CS06) now or at a future date-time, only when the given hash equals the held image's
  hash. When it runs, the running version becomes the held image's OTA file version; 0x8F43 is
  raised when the running version changes.
"""

import hashlib
import struct

from smets.wire import alert_codes as ac

from .errors import BehaviourError
from .timeutil import NEVER

OTA_MAGIC = 0x0BEEF11E
OTA_MIN_HEADER = 56

# CS06 outcomes.
ACTIVATED = 0
SCHEDULED = 1
NO_IMAGE = 2
HASH_MISMATCH = 3


class OtaHeader:
    __slots__ = ("header_length", "field_control", "manufacturer", "image_type", "file_version", "total_size")

    def __init__(self, header_length, field_control, manufacturer, image_type, file_version, total_size):
        self.header_length = header_length
        self.field_control = field_control
        self.manufacturer = manufacturer
        self.image_type = image_type
        self.file_version = file_version
        self.total_size = total_size


def parse_ota_header(image):
    """The ZigBee OTA header fields of an image (little-endian, ZCL OTA Upgrade cluster layout)."""
    if len(image) < OTA_MIN_HEADER:
        raise BehaviourError("OTA image shorter than its header (%d bytes)" % len(image))
    magic, _hver, hlen, fc, manuf, itype, fver, _stack = struct.unpack_from("<IHHHHHIH", image, 0)
    if magic != OTA_MAGIC:
        raise BehaviourError("OTA header magic is 0x%08X" % magic)
    if hlen < OTA_MIN_HEADER or hlen > len(image):
        raise BehaviourError("OTA header length %d out of range" % hlen)
    total = struct.unpack_from("<I", image, 52)[0]
    return OtaHeader(hlen, fc, manuf, itype, fver, total)


class FirmwareStore:
    __slots__ = (
        "manufacturer",
        "image_type",
        "running_version",
        "held_version",
        "held_hash",
        "activate_at",
    )

    def __init__(self, running_version, manufacturer=None, image_type=None):
        self.manufacturer = manufacturer
        self.image_type = image_type
        self.running_version = running_version
        self.held_version = None
        self.held_hash = None
        self.activate_at = NEVER

    def receive(self, image, skip_header=True, verify_signature=None):
        """Check a distributed image; returns (alert code 0x8F72 or 0x8F1C, 32-byte hash)."""
        try:
            hdr = parse_ota_header(image)
            ok = hdr.total_size == len(image)
            if self.manufacturer is not None and hdr.manufacturer != self.manufacturer:
                ok = False
            if self.image_type is not None and hdr.image_type != self.image_type:
                ok = False
            start = hdr.header_length if skip_header else 0
        except BehaviourError:
            hdr = None
            ok = False
            start = 0
        digest = hashlib.sha256(memoryview(image)[start:]).digest()
        if ok and verify_signature is not None and not verify_signature(image, digest):
            ok = False
        if not ok:
            return ac.A_FIRMWARE_VERIFICATION_FAILED, digest
        self.held_version = hdr.file_version
        self.held_hash = digest
        self.activate_at = NEVER
        return ac.A_FIRMWARE_VERIFICATION_OK, digest

    def request_activation(self, image_hash, at, now):
        """CS06: ACTIVATED, SCHEDULED, NO_IMAGE or HASH_MISMATCH."""
        if self.held_hash is None:
            return NO_IMAGE
        if bytes(image_hash) != self.held_hash:
            return HASH_MISMATCH
        self.activate_at = at
        return SCHEDULED if at > now else ACTIVATED

    def due(self, now):
        return self.activate_at != NEVER and self.activate_at <= now

    def activate(self, t, emit):
        self.activate_at = NEVER
        old = self.running_version
        self.running_version = self.held_version
        if old != self.running_version:
            emit(ac.A_FIRMWARE_VERSION_CHANGED, t)

    def dump(self, w):
        w.opt_i64(self.manufacturer)
        w.opt_i64(self.image_type)
        w.i64(self.running_version)
        w.opt_i64(self.held_version)
        w.blob(self.held_hash or b"")
        w.u32(self.activate_at)

    def load(self, r):
        self.manufacturer = r.opt_i64()
        self.image_type = r.opt_i64()
        self.running_version = r.i64()
        self.held_version = r.opt_i64()
        self.held_hash = r.blob() or None
        self.activate_at = r.u32()
