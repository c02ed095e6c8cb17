"""Encryption at rest: the master keyring, sealed fields, wrapped data keys, lookup HMACs.

Every blob has its own 256-bit data key; the data key is stored wrapped (AES-256-GCM) by a
master key named by its key id, so master keys can rotate without touching blobs. Short
fields (patient name, CPR) are sealed with the master key directly and bound to their row.
"""

import base64
import hashlib
import hmac
import os
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

KEY_BYTES = 32
NONCE_BYTES = 12


class KeyUnavailable(Exception):
    """A key is missing, malformed or does not open the data it should."""


@dataclass(frozen=True)
class WrappedKey:
    kid: str
    blob: bytes  # nonce + ciphertext + tag


class Keyring:
    """Master keys by id; the active one wraps, any of them unwraps."""

    def __init__(
        self,
        keys: dict[str, bytes],
        active_kid: str,
        reload: Callable[[], dict[str, bytes]] | None = None,
    ) -> None:
        if active_kid not in keys:
            raise KeyUnavailable(f"active master key {active_kid!r} is not in the keyring")
        for kid, key in keys.items():
            if len(key) != KEY_BYTES:
                raise KeyUnavailable(f"master key {kid!r} must be {KEY_BYTES} bytes")
        self._keys = dict(keys)
        self.active_kid = active_kid
        # A key added by `main.py keys rotate` while this process runs is picked up on first use.
        self._reload = reload

    @property
    def kids(self) -> tuple[str, ...]:
        return tuple(self._keys)

    def wrap(self, data_key: bytes, context: bytes) -> WrappedKey:
        return WrappedKey(self.active_kid, _seal(self._keys[self.active_kid], data_key, context))

    def unwrap(self, wrapped: WrappedKey, context: bytes) -> bytes:
        return _open(self._key(wrapped.kid), wrapped.blob, context)

    def seal_text(self, text: str, context: str) -> str:
        """Encrypt a short field; the result names its key id and is bound to `context`."""
        sealed = _seal(self._keys[self.active_kid], text.encode(), context.encode())
        return f"{self.active_kid}.{base64.urlsafe_b64encode(sealed).decode()}"

    def open_text(self, sealed: str, context: str) -> str:
        kid, _, payload = sealed.partition(".")
        return _open(self._key(kid), base64.urlsafe_b64decode(payload), context.encode()).decode()

    def _key(self, kid: str) -> bytes:
        if kid not in self._keys and self._reload is not None:
            self._keys.update(self._reload())
        try:
            return self._keys[kid]
        except KeyError:
            raise KeyUnavailable(f"master key {kid!r} is not available") from None


class LookupKey:
    """A keyed HMAC for exact-match lookups of sealed fields (CPR, name words)."""

    def __init__(self, key: bytes) -> None:
        if len(key) < KEY_BYTES:
            raise KeyUnavailable(f"the lookup key must be at least {KEY_BYTES} bytes")
        self._key = key

    def digest(self, purpose: str, value: str) -> str:
        message = f"{purpose}\x00{value}".encode()
        return hmac.new(self._key, message, hashlib.sha256).hexdigest()


def new_data_key() -> bytes:
    return AESGCM.generate_key(bit_length=256)


def load_keyring(master_keys: str | None, key_dir: Path) -> Keyring:
    """From "kid:base64,..." (first one active), or from key files made on first start."""
    if master_keys:
        return _keyring_from_spec(master_keys)
    return _keyring_from_dir(key_dir / "master")


def load_lookup_key(lookup_key: str | None, key_dir: Path) -> LookupKey:
    if lookup_key:
        return LookupKey(base64.b64decode(lookup_key))
    path = key_dir / "lookup.key"
    if not path.exists():
        write_secret(path, base64.b64encode(secrets.token_bytes(KEY_BYTES)))
    return LookupKey(base64.b64decode(path.read_bytes()))


def add_master_key(key_dir: Path) -> str:
    """Create a new master key file and make it the active one; returns its id."""
    master_dir = key_dir / "master"
    kid = f"k{secrets.token_hex(4)}"
    write_secret(master_dir / f"{kid}.key", base64.b64encode(new_data_key()))
    write_secret(master_dir / "ACTIVE", kid.encode())
    return kid


def _keyring_from_spec(spec: str) -> Keyring:
    keys: dict[str, bytes] = {}
    for item in spec.split(","):
        kid, sep, encoded = item.strip().partition(":")
        if not sep or not kid:
            raise KeyUnavailable("SUTURA_MASTER_KEYS must read kid:base64[,kid:base64...]")
        keys[kid] = base64.b64decode(encoded)
    return Keyring(keys, next(iter(keys)))


def _keyring_from_dir(master_dir: Path) -> Keyring:
    if not (master_dir / "ACTIVE").exists():
        add_master_key(master_dir.parent)

    def read_keys() -> dict[str, bytes]:
        return {path.stem: base64.b64decode(path.read_bytes()) for path in master_dir.glob("*.key")}

    return Keyring(read_keys(), (master_dir / "ACTIVE").read_text().strip(), read_keys)


def write_secret(path: Path, content: bytes) -> None:
    """Write a key file atomically with mode 0600."""
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    temporary = path.with_suffix(".tmp")
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as file:
        file.write(content)
        file.flush()
        os.fsync(file.fileno())
    temporary.replace(path)


def _seal(key: bytes, plaintext: bytes, context: bytes) -> bytes:
    nonce = os.urandom(NONCE_BYTES)
    return nonce + AESGCM(key).encrypt(nonce, plaintext, context)


def _open(key: bytes, sealed: bytes, context: bytes) -> bytes:
    try:
        return AESGCM(key).decrypt(sealed[:NONCE_BYTES], sealed[NONCE_BYTES:], context)
    except InvalidTag:
        raise KeyUnavailable("sealed data does not open with its key and context") from None
