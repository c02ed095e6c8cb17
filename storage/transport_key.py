"""The phone app's transport key: an RSA-OAEP key pair the app encrypts each photo to.

Created on first start; the private key is kept sealed under the master keyring in the
key directory, never in plaintext on disk. The app sends an envelope:

    MAGIC (8 bytes) | kid length (1) | kid | wrapped key length (2, big-endian)
    | wrapped key (RSA-OAEP, SHA-256) | iv (12) | AES-256-GCM ciphertext and tag

The header (everything before the ciphertext) is the GCM associated data, so neither the
key id nor the wrapped key can be swapped without the tag failing.
"""

import base64
import hashlib
import json
import logging
import os
from pathlib import Path

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from domain.errors import InvalidImage
from storage.crypto import Keyring, write_secret

logger = logging.getLogger(__name__)

MAGIC = b"SUTENV1\n"
ALGORITHM = "rsa-oaep-256+a256gcm"
RSA_BITS = 3072
IV_BYTES = 12
_OAEP = padding.OAEP(mgf=padding.MGF1(hashes.SHA256()), algorithm=hashes.SHA256(), label=None)
_TAMPERED = "The photo was altered or damaged on its way from the phone; take it again."


class TransportKeyPair:
    def __init__(self, private_key: rsa.RSAPrivateKey) -> None:
        self._private_key = private_key
        self._spki = private_key.public_key().public_bytes(
            serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
        )
        self._kid = "t" + hashlib.sha256(self._spki).hexdigest()[:16]

    @property
    def key_id(self) -> str:
        return self._kid

    @property
    def public_key_spki(self) -> bytes:
        return self._spki

    def is_sealed(self, data: bytes) -> bool:
        return data.startswith(MAGIC)

    def open_sealed(self, data: bytes) -> bytes:
        """The plaintext photo of an envelope; raises InvalidImage when it does not open."""
        try:
            kid, wrapped, iv, header_end = _parse_header(data)
        except (IndexError, ValueError):
            raise InvalidImage(_TAMPERED) from None
        if kid != self._kid:
            raise InvalidImage("The photo was encrypted to a key this server does not hold.")
        try:
            data_key = self._private_key.decrypt(wrapped, _OAEP)
            return AESGCM(data_key).decrypt(iv, data[header_end:], data[:header_end])
        except (InvalidTag, ValueError):
            raise InvalidImage(_TAMPERED) from None


def seal_envelope(public_key_spki: bytes, kid: str, photo: bytes) -> bytes:
    """What the phone app does in the browser, for tests and the benchmark."""
    public_key = serialization.load_der_public_key(public_key_spki)
    if not isinstance(public_key, rsa.RSAPublicKey):
        raise ValueError("the transport key is not an RSA key")
    data_key = AESGCM.generate_key(bit_length=256)
    iv = os.urandom(IV_BYTES)
    wrapped = public_key.encrypt(data_key, _OAEP)
    header = MAGIC + bytes([len(kid)]) + kid.encode() + len(wrapped).to_bytes(2, "big")
    header += wrapped + iv
    return header + AESGCM(data_key).encrypt(iv, photo, header)


def load_transport_key(key_dir: Path, keyring: Keyring) -> TransportKeyPair:
    """Open the sealed key pair in key_dir, creating it on first start."""
    path = key_dir / "transport.sealed"
    if not path.exists():
        _create(path, keyring)
    stored = json.loads(path.read_text())
    der = base64.b64decode(keyring.open_text(stored["sealed"], "transport-key"))
    private_key = serialization.load_der_private_key(der, password=None)
    if not isinstance(private_key, rsa.RSAPrivateKey):
        raise ValueError("the stored transport key is not an RSA key")
    return TransportKeyPair(private_key)


def _create(path: Path, keyring: Keyring) -> None:
    private_key = rsa.generate_private_key(public_exponent=65537, key_size=RSA_BITS)
    der = private_key.private_bytes(
        serialization.Encoding.DER,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    sealed = keyring.seal_text(base64.b64encode(der).decode(), "transport-key")
    write_secret(path, json.dumps({"sealed": sealed}).encode())
    logger.info("created the phone app's transport key")


def _parse_header(data: bytes) -> tuple[str, bytes, bytes, int]:
    if not data.startswith(MAGIC):
        raise ValueError("not an envelope")
    at = len(MAGIC)
    kid_length = data[at]
    kid = data[at + 1 : at + 1 + kid_length].decode("ascii")
    at += 1 + kid_length
    wrapped_length = int.from_bytes(data[at : at + 2], "big")
    wrapped = data[at + 2 : at + 2 + wrapped_length]
    at += 2 + wrapped_length
    iv = data[at : at + IV_BYTES]
    if len(wrapped) != wrapped_length or len(iv) != IV_BYTES:
        raise ValueError("short envelope")
    return kid, wrapped, iv, at + IV_BYTES
