import base64
import stat

import pytest

from storage.crypto import Keyring, KeyUnavailable, add_master_key, load_keyring, new_data_key
from storage.sealed_stream import SEGMENT, SealedWriter, TamperedBlob, read_plaintext


def test_key_files_are_private_and_reloaded(tmp_path):
    first = load_keyring(None, tmp_path / "keys")

    again = load_keyring(None, tmp_path / "keys")

    key_file = tmp_path / "keys" / "master" / f"{first.active_kid}.key"
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert again.active_kid == first.active_kid


def test_rotation_keeps_old_wraps_readable(tmp_path):
    old = load_keyring(None, tmp_path / "keys")
    data_key = new_data_key()
    wrapped = old.wrap(data_key, b"photo:1:preview")

    add_master_key(tmp_path / "keys")
    rotated = load_keyring(None, tmp_path / "keys")

    assert rotated.active_kid != old.active_kid
    assert rotated.unwrap(wrapped, b"photo:1:preview") == data_key
    assert rotated.wrap(data_key, b"x").kid == rotated.active_kid


def test_wrapped_key_is_bound_to_its_context():
    keyring = Keyring({"k1": new_data_key()}, "k1")
    wrapped = keyring.wrap(new_data_key(), b"photo:1:original")

    with pytest.raises(KeyUnavailable):
        keyring.unwrap(wrapped, b"photo:2:original")


def test_sealed_text_is_bound_to_its_row():
    keyring = Keyring({"k1": new_data_key()}, "k1")
    sealed = keyring.seal_text("Jens Hansen", "patient.name:1")

    assert "Jens" not in sealed
    assert keyring.open_text(sealed, "patient.name:1") == "Jens Hansen"
    with pytest.raises(KeyUnavailable):
        keyring.open_text(sealed, "patient.name:2")


def test_master_keys_from_environment_spec():
    key = base64.b64encode(new_data_key()).decode()

    keyring = load_keyring(f"primary:{key},old:{key}", None)  # type: ignore[arg-type]

    assert keyring.active_kid == "primary"
    assert keyring.kids == ("primary", "old")


def _seal(path, data, key, context=b"ctx"):
    writer = SealedWriter(path, key, context)
    for start in range(0, len(data), 300_000):
        writer.write(data[start : start + 300_000])
    writer.close()


@pytest.mark.parametrize("size", [0, 1, SEGMENT, SEGMENT + 1, 3 * SEGMENT + 17])
def test_sealed_stream_round_trips_across_segment_edges(tmp_path, size):
    key = new_data_key()
    data = bytes(range(256)) * (size // 256) + b"x" * (size % 256)

    _seal(tmp_path / "blob", data, key)

    assert read_plaintext(tmp_path / "blob", key, b"ctx") == data
    if size >= 64:  # shorter plaintexts can appear in random ciphertext by chance
        assert data[:64] not in (tmp_path / "blob").read_bytes()


@pytest.mark.parametrize("damage", ["truncate_segment", "drop_last_segment", "flip_bit", "append"])
def test_sealed_stream_detects_tampering(tmp_path, damage):
    key = new_data_key()
    path = tmp_path / "blob"
    _seal(path, b"p" * (2 * SEGMENT + 5), key)
    raw = bytearray(path.read_bytes())

    if damage == "truncate_segment":
        raw = raw[:-3]
    elif damage == "drop_last_segment":
        raw = raw[: 11 + 2 * (SEGMENT + 16)]
    elif damage == "flip_bit":
        raw[40] ^= 1
    else:
        raw += b"trailing"
    path.write_bytes(bytes(raw))

    with pytest.raises(TamperedBlob):
        read_plaintext(path, key, b"ctx")


def test_sealed_stream_refuses_wrong_context(tmp_path):
    key = new_data_key()
    _seal(tmp_path / "blob", b"data", key, b"photo:1:preview")

    with pytest.raises(TamperedBlob):
        read_plaintext(tmp_path / "blob", key, b"photo:1:original")
