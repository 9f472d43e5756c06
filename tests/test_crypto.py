"""The crypto provider against published vectors, and the GBCS KDF and MAC against RTDS.

Expected values come from the standards (FIPS-197, McGrew-Viega GCM test cases as in NIST's
GCM spec, RFC 4231, RFC 6979 A.2.5, RFC 5903 §8.1, NIST CAVS 14.1 ECC CDH) and from
SmartDCCInnovation/gbcs-parser's test/crypto.test.ts KDF vectors (GPL: values only), and from
RTDS 4.5.0 frames with the RTDS keystore. Runs on CPython and MicroPython; on MicroPython the
provider's AES is `cryptolib`, so the pure-Python AES is also tested on its own.
"""

from smets.crypto import CryptoError, aes, gcm
from smets.crypto.hmac256 import hmac_sha256
from smets.crypto.pure import PureCrypto
from smets.security import keys
from smets.security.kdf import MODE_ALERT_MAC, MODE_COMMAND_MAC, MODE_RESPONSE_MAC, derive_key
from support import key_file, raises, read_frame, unhex

C = PureCrypto()


def _private(name):
    return keys.private_scalar(key_file(name))


def _public(name):
    return keys.public_point(key_file(name))


# -- AES ------------------------------------------------------------------------------------------

# FIPS-197 Appendix C.1 and Appendix B.
AES_VECTORS = (
    # key, plaintext, ciphertext
    (
        "000102030405060708090a0b0c0d0e0f",
        "00112233445566778899aabbccddeeff",
        "69c4e0d86a7b0430d8cdb78070b4c55a",
    ),
    (
        "2b7e151628aed2a6abf7158809cf4f3c",
        "3243f6a8885a308d313198a2e0370734",
        "3925841d02dc09fbdc118597196a0b32",
    ),
)


def test_aes_fips197_provider():
    for key, pt, ct in AES_VECTORS:
        assert C.aes_encrypt_block(unhex(key), unhex(pt)) == unhex(ct)


def test_aes_fips197_pure_python():
    for key, pt, ct in AES_VECTORS:
        assert aes.Aes128(unhex(key)).encrypt(unhex(pt)) == unhex(ct)
    # Two blocks at once (ECB, as GCM's counter mode asks for them).
    key, pt, ct = AES_VECTORS[0]
    assert aes.Aes128(unhex(key)).encrypt(unhex(pt + pt)) == unhex(ct + ct)


def test_aes_rejects_bad_lengths():
    raises(CryptoError, C.aes_encrypt_block, bytes(15), bytes(16))
    raises(CryptoError, C.aes_encrypt_block, bytes(16), bytes(17))


# -- GCM ------------------------------------------------------------------------------------------

_GCM_K = "feffe9928665731c6d6a8f9467308308"
_GCM_IV = "cafebabefacedbaddecaf888"
_GCM_P = (
    "d9313225f88406e5a55909c5aff5269a86a7a9531534f7da2e4c303d8a318a72"
    "1c3c0c95956809532fcf0e2449a6b525b16aedf5aa0de657ba637b391aafd255"
)
_GCM_C = (
    "42831ec2217774244b7221b784d0d49ce3aa212f2c02a4e035c17e2329aca12e"
    "21d514b25466931c7d8f6a5aac84aa051ba30b396a0aac973d58e091473f5985"
)
# McGrew & Viega test cases 1-4 (AES-128, 96-bit IV): key, iv, plaintext, aad, ciphertext, tag.
GCM_VECTORS = (
    ("00" * 16, "00" * 12, "", "", "", "58e2fccefa7e3061367f1d57a4e7455a"),
    (
        "00" * 16,
        "00" * 12,
        "00" * 16,
        "",
        "0388dace60b6a392f328c2b971b2fe78",
        "ab6e47d42cec13bdf53a67b21257bddf",
    ),
    (_GCM_K, _GCM_IV, _GCM_P, "", _GCM_C, "4d5c2af327cd64a62cf35abd2ba6fab4"),
    (
        _GCM_K,
        _GCM_IV,
        _GCM_P[:120],
        "feedfacedeadbeeffeedfacedeadbeefabaddad2",
        _GCM_C[:120],
        "5bc94fbc3221a5db94fae95ae7121a47",
    ),
)


def _check_gcm_vectors(encrypt, decrypt):
    for key, iv, pt, aad, ct, tag in GCM_VECTORS:
        k, i, p, a = unhex(key), unhex(iv), unhex(pt), unhex(aad)
        assert encrypt(k, i, p, a, 16) == unhex(ct + tag)
        # A truncated tag is the leading octets of the full one.
        assert encrypt(k, i, p, a, 12) == unhex(ct + tag[:24])
        assert decrypt(k, i, unhex(ct + tag), a, 16) == p
        assert decrypt(k, i, unhex(ct + tag[:24]), a, 12) == p


def test_gcm_mcgrew_viega_vectors():
    _check_gcm_vectors(C.gcm_encrypt, C.gcm_decrypt)


def test_gcm_with_pure_python_aes():
    # On MicroPython the provider uses cryptolib; run GCM over the pure AES as well.
    saved = gcm._aes_new
    gcm._aes_new = aes.Aes128
    try:
        _check_gcm_vectors(gcm.encrypt, gcm.decrypt)
    finally:
        gcm._aes_new = saved


def test_gcm_rejects_tampering_and_bad_lengths():
    key, iv, pt, aad, ct, tag = GCM_VECTORS[3]
    k, i, a = unhex(key), unhex(iv), unhex(aad)
    sealed = unhex(ct + tag[:24])
    for pos in (0, len(sealed) - 1, len(sealed) - 12):
        bad = bytearray(sealed)
        bad[pos] ^= 0x01
        assert C.gcm_decrypt(k, i, bytes(bad), a, 12) is None
    bad_aad = bytearray(a)
    bad_aad[3] ^= 0x80
    assert C.gcm_decrypt(k, i, sealed, bytes(bad_aad), 12) is None
    assert C.gcm_decrypt(k, i, sealed[:11], a, 12) is None
    raises(CryptoError, C.gcm_encrypt, k, bytes(8), b"", a, 12)
    raises(CryptoError, C.gcm_encrypt, k[:8], i, b"", a, 12)


def test_gcm_gbcs_parser_vector():
    # gbcs-parser crypto.test.ts "nominal": GBCS IV = originator title || 00000000.
    sealed = C.gcm_encrypt(
        unhex("000102030405060708090a0b0c0d0e0f"),
        unhex("90b3d51f30030000") + bytes(4),
        b"one two three",
        b"helloworld",
        12,
    )
    assert sealed == unhex("584fa806b24491178829d46c38" + "6b33bdcb1e223242ec20b957")


# -- HMAC and ECDSA -----------------------------------------------------------------------------------


def test_hmac_sha256_rfc4231():
    assert hmac_sha256(b"Jefe", b"what do ya want for nothing?") == unhex(
        "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
    )
    assert hmac_sha256(b"\xaa" * 131, b"Test Using Larger Than Block-Size Key - Hash Key First") == unhex(
        "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54"
    )


# RFC 6979 A.2.5: P-256 key pair and the SHA-256 signatures of "sample" and "test".
RFC6979_X = unhex("C9AFA9D845BA75166B5C215767B1D6934E50C3DB36E89B127B8A622B120F6721")
RFC6979_U = unhex(
    "04"
    "60FED4BA255A9D31C961EB74C6356D68C049B8923B61FA6CE669622E60F29FB6"
    "7903FE1008B8BC99A41AE9E95628BC64F2F1B20C2D7E9F5177A3C294D4462299"
)
RFC6979_SIGS = (
    (
        b"sample",
        "EFD48B2AACB6A8FD1140DD9CD45E81D69D2C877B56AAF991C34D0EA84EAF3716",
        "F7CB1C942D657C41D436C7A1B6E29F65F3E900DBB9AFF4064DC4AB2F843ACDA8",
    ),
    (
        b"test",
        "F1ABB023518351CD71D881567B1EA663ED3EFCF6C5132B354F28D3B0B7D38367",
        "019F4113742A2B14BD25926B49C649155F267E60D3814B4C0CC84250E46F0083",
    ),
)
N = 0xFFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551


def test_public_key_rfc6979():
    assert C.public_key(RFC6979_X) == RFC6979_U


def test_ecdsa_sign_rfc6979_deterministic():
    for msg, r, s in RFC6979_SIGS:
        assert C.ecdsa_sign(RFC6979_X, msg) == unhex(r + s)


def test_ecdsa_verify_accepts_and_rejects():
    for msg, r, s in RFC6979_SIGS:
        sig = unhex(r + s)
        assert C.ecdsa_verify(RFC6979_U, msg, sig) is True
        for pos in (0, 31, 32, 63):
            bad = bytearray(sig)
            bad[pos] ^= 0x10
            assert C.ecdsa_verify(RFC6979_U, msg, bytes(bad)) is False
        assert C.ecdsa_verify(RFC6979_U, msg + b".", sig) is False
    # r and s outside [1, n-1] are rejected without any point arithmetic.
    s = unhex(RFC6979_SIGS[0][2])
    assert C.ecdsa_verify(RFC6979_U, b"sample", bytes(32) + s) is False
    assert C.ecdsa_verify(RFC6979_U, b"sample", N.to_bytes(32, "big") + s) is False
    assert C.ecdsa_verify(RFC6979_U, b"sample", s + b"\xff" * 32) is False


def test_invalid_keys_raise():
    off_curve = bytearray(RFC6979_U)
    off_curve[64] ^= 1
    raises(CryptoError, C.ecdsa_verify, bytes(off_curve), b"sample", bytes(64))
    raises(CryptoError, C.ecdh, RFC6979_X, bytes(off_curve))
    raises(CryptoError, C.ecdh, RFC6979_X, RFC6979_U[:33])
    raises(CryptoError, C.ecdh, RFC6979_X, b"\x05" + RFC6979_U[1:])
    # x = p is not a field element even though p mod p would be.
    p = 0xFFFFFFFF00000001000000000000000000000000FFFFFFFFFFFFFFFFFFFFFFFF
    raises(CryptoError, C.ecdh, RFC6979_X, b"\x04" + p.to_bytes(32, "big") + RFC6979_U[33:])
    raises(CryptoError, C.public_key, bytes(32))
    raises(CryptoError, C.public_key, N.to_bytes(32, "big"))
    raises(CryptoError, C.ecdsa_sign, RFC6979_X[:31], b"m")
    raises(CryptoError, C.ecdsa_verify, RFC6979_U, b"sample", bytes(63))


def test_point_addition_exceptional_cases():
    # 2G and x(3G) from the published P-256 multiples of G (point-at-infinity.org "nisttv").
    from smets.crypto import p256

    two_g = (
        0x7CF27B188D034F7E8A52380304B51AC3C08969E277F21B35A60B48FC47669978,
        0x07775510DB8ED040293D9AC69F7430DBBA7DADE63CE982299E04B79D227873D1,
    )
    gx, gy, p = p256.GX, p256.GY, p256.P
    assert p256._to_affine(*p256._madd(gx, gy, 1, gx, gy)) == two_g  # P + P falls back to doubling
    assert p256._to_affine(*p256._dbl(gx, gy, 1)) == two_g
    assert p256._madd(gx, gy, 1, gx, p - gy)[2] == 0  # P + (-P) is infinity
    assert p256._madd(1, 1, 0, gx, gy) == (gx, gy, 1)  # infinity + P
    x3 = p256._to_affine(*p256._madd(*p256._dbl(gx, gy, 1), gx, gy))[0]
    assert x3 == 0x5ECBE4D1A6330A44C8F7EF951D4BF165E6C6B721EFADA985FB41661BC6E7FD6C
    assert C.public_key((2).to_bytes(32, "big")) == p256.encode_point(two_g[0], two_g[1])
    assert C.public_key((N - 1).to_bytes(32, "big")) == p256.encode_point(gx, p - gy)


# -- ECDH -----------------------------------------------------------------------------------------


def test_ecdh_rfc5903():
    # RFC 5903 §8.1, 256-bit random ECP group.
    i = unhex("C88F01F510D9AC3F70A292DAA2316DE544E9AAB8AFE84049C62A9C57862D1433")
    gi = unhex(
        "04DAD0B65394221CF9B051E1FECA5787D098DFE637FC90B9EF945D0C3772581180"
        "5271A0461CDB8252D61F1C456FA3E59AB1F45B33ACCF5F58389E0577B8990BB3"
    )
    r = unhex("C6EF9C5D78AE012A011164ACB397CE2088685D8F06BF9BE0B283AB46476BEE53")
    gr = unhex(
        "04D12DFB5289C8D4F81208B70270398C342296970A0BCCB74C736FC7554494BF63"
        "56FBF3CA366CC23E8157854C13C58D6AAC23F046ADA30F8353E74F33039872AB"
    )
    z = unhex("D6840F6B42F6EDAFD13116E0E12565202FEF8E9ECE7DCE03812464D04B9442DE")
    assert C.public_key(i) == gi
    assert C.public_key(r) == gr
    assert C.ecdh(i, gr) == z
    assert C.ecdh(r, gi) == z


def test_ecdh_nist_cavs_count0():
    # NIST CAVS 14.1 ECC CDH primitive (SP 800-56A), P-256 COUNT = 0.
    d = unhex("7d7dc5f71eb29ddaf80d6214632eeae03d9058af1fb6d22ed80badb62bc1a534")
    peer = unhex(
        "04700c48f77f56584c5cc632ca65640db91b6bacce3a4df6b42ce7cc838833d287"
        "db71e509e3fd9b060ddb20ba5c51dcc5948d46fbf640dfe0441782cab85fa4ac"
    )
    assert C.ecdh(d, peer) == unhex("46fc62106420ff012e54a434fbdd2d25ccc5852060561e68040dd7778997bd7b")


# -- key files and the GBCS KDF (RTDS keystore) ---------------------------------------------------

SUPPLIER = unhex("90B3D51F30010000")
ACB = unhex("90B3D51F30000002")
ESME = unhex("00DB1234567890A0")
GSME = unhex("00DB1234567890A1")


def test_key_files_match_their_certificates():
    # Each remote party's private key file and its certificate describe one key pair.
    names = ("90b3d51f30000002-ka", "90b3d51f30010000-ka", "90b3d51f30010000-pp-ka", "90b3d51f30010000-ds")
    for name in names:
        d = _private(name + ".key")
        assert len(d) == 32
        assert C.public_key(d) == _public(name + ".pem")


def test_keys_reject_other_inputs():
    from smets.wire.errors import DecodeError

    raises(DecodeError, keys.private_scalar, b"\x30\x03\x02\x01\x01")
    raises(DecodeError, keys.public_point, b"\x04\x00")
    raises(DecodeError, keys.public_point, b"\x30\x05\x30\x03\x06\x01\x00")
    # A device certificate is not a private key.
    raises(DecodeError, keys.private_scalar, key_file("00db1234567890a0-ka.pem"))


def test_kdf_gbcs_parser_vectors():
    # gbcs-parser test/crypto.test.ts: command MAC key, ACB KA key x ESME KA key, supplier as
    # originator; response and alert keys, supplier KA key x ESME KA key, ESME as originator.
    acb = _private("90b3d51f30000002-ka.key")
    sup = _private("90b3d51f30010000-ka.key")
    esme = _public("00db1234567890a0-ka.pem")
    k = derive_key(C, acb, esme, MODE_COMMAND_MAC, SUPPLIER, 0x0000000100000000, ESME)
    assert k == unhex("6A93E360717394015DF93E031218C9A6")
    k = derive_key(C, sup, esme, MODE_RESPONSE_MAC, ESME, 0x0000000100000000, SUPPLIER)
    assert k == unhex("03FD30815577C49EB7E3834B63EF8302")
    k = derive_key(C, sup, esme, MODE_ALERT_MAC, ESME, unhex("00000000000007D1"), SUPPLIER)
    assert k == unhex("558FB1FA6660AF0D9E8365C47804B8FA")


def _split_mac_frame(frame):
    """(APDU from 0xDF through the signature, 12-octet MAC) of a MACed frame, by slicing."""
    assert frame[:7] == b"\xdd\x00\x00\x00\x00\x00\x00"
    pos = 7
    n = frame[pos]
    if n & 0x80:
        count = n & 0x7F
        n = int.from_bytes(frame[pos + 1 : pos + 1 + count], "big")
        pos += count
    pos += 1
    assert len(frame) == pos + n
    assert frame[pos : pos + 5] == b"\x11\x00\x00\x00\x00"
    apdu = frame[pos + 5 : len(frame) - 12]
    assert apdu[:2] == b"\xdf\x09"
    return apdu, frame[len(frame) - 12 :]


def _gmac_ok(key, originator, apdu, mac):
    aad = b"\x11\x00\x00\x00\x00" + b"\x00" + apdu
    return C.gcm_encrypt(key, originator + bytes(4), b"", aad, 12) == mac


def test_rtds_cs01_command_and_response_macs():
    # Commands: the ACB adds the MAC (ACB KA key x device KA key) over the supplier's grouping
    # header; responses: the device's KA key x the supplier's KA key (checked from the supplier side).
    acb = _private("90b3d51f30000002-ka.key")
    sup = _private("90b3d51f30010000-ka.key")
    cases = (
        ("2.2_CS01a", "CS01a", "00db1234567890a0-ka.pem"),
        ("2.2_CS01b", "CS01b", "00db1234567890a1-ka.pem"),
    )
    for folder, uc, device_cert in cases:
        device = _public(device_cert)
        for variant in ("SUCCESS", "ERROR"):
            for kind in ("COMMAND", "RESPONSE"):
                name = "%s_2.2_%s_%s_GBCS.HEX" % (uc, variant, kind)
                apdu, mac = _split_mac_frame(read_frame(folder, name))
                cra = apdu[2]
                counter = apdu[3:11]
                originator = apdu[12:20]
                recipient = apdu[21:29]
                if kind == "COMMAND":
                    assert cra == MODE_COMMAND_MAC and originator == SUPPLIER
                    key = derive_key(C, acb, device, MODE_COMMAND_MAC, originator, counter, recipient)
                else:
                    assert cra == MODE_RESPONSE_MAC and recipient == SUPPLIER
                    key = derive_key(C, sup, device, MODE_RESPONSE_MAC, originator, counter, recipient)
                assert _gmac_ok(key, originator, apdu, mac), (folder, variant, kind)
                # One flipped bit anywhere in the APDU breaks it.
                bad = bytearray(apdu)
                bad[len(bad) // 2] ^= 0x04
                assert not _gmac_ok(key, originator, bytes(bad), mac)


def test_rtds_cs01a_mac_needs_business_originator_title():
    # The KDF and the IV take the grouping header's originator (the supplier), not the ACB's EUI.
    acb = _private("90b3d51f30000002-ka.key")
    device = _public("00db1234567890a0-ka.pem")
    apdu, mac = _split_mac_frame(read_frame("2.2_CS01a", "CS01a_2.2_SUCCESS_COMMAND_GBCS.HEX"))
    counter = apdu[3:11]
    key = derive_key(C, acb, device, MODE_COMMAND_MAC, ACB, counter, ESME)
    assert not _gmac_ok(key, SUPPLIER, apdu, mac)
    key = derive_key(C, acb, device, MODE_COMMAND_MAC, SUPPLIER, counter, ESME)
    assert not _gmac_ok(key, ACB, apdu, mac)
    assert _gmac_ok(key, SUPPLIER, apdu, mac)
