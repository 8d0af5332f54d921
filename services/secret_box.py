"""Secrets stored in the database (and so in snapshots) are encrypted with SECRET_KEY.

Fernet (AES-128-CBC with HMAC-SHA256, from the `cryptography` package) under a
MultiFernet: SECRET_KEY may list several keys, comma separated; the first encrypts,
every one decrypts, so an old key stays listed while secrets move to a new one.
Stored ciphertext carries PREFIX, which tells it from a clear value written before
encryption existed. Unset SECRET_KEY: a key generated once into DATA_DIR/secret.key
(0600), a development default, logged as such.
"""
import functools
import hashlib
import logging
import os
import secrets
from pathlib import Path

from cryptography.fernet import Fernet, InvalidToken, MultiFernet

from services.private_files import open_private, private_dir

log = logging.getLogger(__name__)
PREFIX = "fernet:"
KEY_FILE = "secret.key"


class SecretKeyError(RuntimeError):
    """A stored secret that none of the SECRET_KEY keys decrypts (another key encrypted it)."""


_keys: list[Fernet] = []
_box: MultiFernet | None = None
_hash_keys: list[bytes] = []
_signing_keys: list[str] = []
_development = False


def configure(setting: str | None, data_dir: str) -> None:
    """Use SECRET_KEY's keys, or the development key file under `data_dir`."""
    global _keys, _box, _hash_keys, _development
    _development = not setting
    raw = [key.strip() for key in (setting.split(",") if setting else [_development_key(Path(data_dir))])]
    _keys = [Fernet(key.encode()) for key in raw if key]
    _box = MultiFernet(_keys)
    # Keys of their own for keyed hashes (the erasure ledger), derived so that no Fernet
    # key signs anything but Fernet tokens.
    _hash_keys = [hashlib.sha256(b"chatkeep keyed hash\0" + key.encode()).digest() for key in raw if key]
    _signing_keys[:] = [hashlib.sha256(b"chatkeep signing\0" + key.encode()).hexdigest() for key in raw if key]
    _decrypt.cache_clear()


def uses_development_key() -> bool:
    """Whether SECRET_KEY is unset and the key is DATA_DIR's development key."""
    return _development


def _development_key(data_dir: Path) -> str:
    path = data_dir / KEY_FILE
    if not path.exists():
        _create_key_file(path)
    try:
        key = path.read_text().strip()
        Fernet(key.encode())
    except (OSError, ValueError) as exc:
        raise SecretKeyError(f"{path} does not hold a Fernet key ({type(exc).__name__}); "
                             "set SECRET_KEY or move the file away") from None
    log.warning("SECRET_KEY is unset: stored secrets are encrypted with the development key in %s "
                "(development default); set SECRET_KEY in production", path)
    return key


def _create_key_file(path: Path) -> None:
    """Written whole under a temporary name, then linked into place: processes starting
    at once (CLI beside the service) all end up with the first one's key."""
    private_dir(path.parent)
    temporary = path.with_name(f".{KEY_FILE}.{os.getpid()}.{secrets.token_hex(4)}")
    try:
        with open_private(temporary, "w") as handle:
            handle.write(Fernet.generate_key().decode() + "\n")
            handle.flush()
            os.fsync(handle.fileno())
        try:
            os.link(temporary, path)
            log.warning("generated a development SECRET_KEY into %s", path)
        except FileExistsError:
            pass
    finally:
        temporary.unlink(missing_ok=True)


def _configured() -> MultiFernet:
    if _box is None:
        raise RuntimeError("secret_box.configure() has not been called in this process")
    return _box


def is_sealed(value: str | None) -> bool:
    return bool(value) and value.startswith(PREFIX)


def encrypt(plain: str) -> str:
    return PREFIX + _configured().encrypt(plain.encode("utf-8", "surrogatepass")).decode()


def sealed(value: str | None) -> str | None:
    """`value` encrypted, unless it is unset or encrypted already."""
    return value if not value or is_sealed(value) else encrypt(value)


def decrypt(stored: str) -> str:
    """The clear text of a sealed value; SecretKeyError if no listed key opens it."""
    return _decrypt(_configured(), stored)


# Cloud webhooks decrypt the tenant's app secret on every request: the clear text is in
# this process's memory either way, and the cache saves the HMAC and AES work.
@functools.lru_cache(maxsize=4096)
def _decrypt(box: MultiFernet, stored: str) -> str:
    try:
        return box.decrypt(stored.removeprefix(PREFIX).encode()).decode("utf-8", "surrogatepass")
    except (InvalidToken, ValueError):
        raise SecretKeyError("a stored secret was encrypted with a key SECRET_KEY does not list") from None


def under_first_key(stored: str) -> bool:
    """Whether the first (encrypting) key opens `stored`; False for a clear value."""
    if not is_sealed(stored):
        return False
    try:
        _configured()
        _keys[0].decrypt(stored.removeprefix(PREFIX).encode())
        return True
    except InvalidToken:
        return False


def rotated(stored: str) -> str:
    """`stored` re-encrypted with the first key (SecretKeyError if no key opens it)."""
    return encrypt(decrypt(stored))


def settled(stored: str) -> str | None:
    """What `stored` (a secret as stored) becomes under the first key: None if it is there
    already, a clear value sealed, one under an older listed key re-encrypted
    (SecretKeyError if no listed key opens it)."""
    if under_first_key(stored):
        return None
    return rotated(stored) if is_sealed(stored) else encrypt(stored)


def reseal_field(collection, field: str) -> dict:
    """After a rotation: `field` (a sealed secret) of every document of `collection` (a
    models.collections.GlobalCollection) re-encrypted under the first key, each only if
    it did not change meanwhile. Counts {"resealed": n, "unreadable": n}; one no listed
    key opens stays as it is (its owner says so when it is used)."""
    counts = {"resealed": 0, "unreadable": 0}
    for document in list(collection.find({field: {"$gt": ""}}, projection={field: 1})):
        stored = document[field]
        try:
            resealed = settled(stored)
        except SecretKeyError:
            counts["unreadable"] += 1
            continue
        if resealed is None:
            continue
        counts["resealed"] += collection.update_one({"_id": document["_id"], field: stored},
                                                    {"$set": {field: resealed}}).modified_count
    return counts


def hmac_keys() -> list[bytes]:
    """Keys for keyed hashes, one per SECRET_KEY key, the first (writing) key's first."""
    _configured()
    return _hash_keys


def signing_keys() -> list[str]:
    """Keys that sign cookies and CSRF tokens (the dashboard), derived from SECRET_KEY's
    keys: the first signs, all verify."""
    _configured()
    return list(_signing_keys)
