"""The erasure ledger's own keys: an erasure holds through any number of SECRET_KEY
rotations, with every old key dropped.

A ledger entry is an HMAC of the phone (services.privacy.ledger), and a phone is never
kept, so an entry can never be re-keyed. Its key therefore outlives SECRET_KEY: each
tenant's ledger has a key of its own, random, made once, stored beside its entries (in
the same collection, so snapshots carry them and a restore keeps them as it keeps the
entries) and encrypted under SECRET_KEY. A rotation re-encrypts them (`settle`, at
start-up, with tenants' other secrets); nothing is ever re-hashed. A tenant may hold
several (a restore bringing another store's): lookups try each, the first writes.

Ledgers written before these keys hold entries under keys derived from SECRET_KEY's
keys. `settle` keeps those derived keys as ledger keys of the tenants with entries, so
those entries too survive the keys they came from being dropped (entries under a key
dropped before this version are beyond reach: their phones are not known).
"""
import base64
import hashlib
import logging
import secrets

from models.collections import GlobalCollection, scoped
from models.erasure import ErasedContact
from models.tenancy import current_tenant_id, tenant_scope
from services import clock, secret_box

log = logging.getLogger(__name__)
PREFIX = "key:"  # ids of key documents; entries' ids are hex digests
_unreadable_reported: set = set()


def is_key(document: dict) -> bool:
    return bool(document.get("key"))


def opened(key_documents: list[dict]) -> list[bytes]:
    """The keys of a tenant's key documents, the writing one (the oldest) first; one no
    SECRET_KEY key opens is skipped and logged once."""
    keys = []
    for document in sorted(key_documents, key=lambda d: d["_id"]):
        try:
            keys.append(base64.b64decode(secret_box.decrypt(document["key"])))
        except secret_box.SecretKeyError:
            if document["_id"] not in _unreadable_reported:
                _unreadable_reported.add(document["_id"])
                log.error("erasure ledger key %s cannot be decrypted with SECRET_KEY: the erasures recorded "
                          "under it are not recognised until the key that encrypted it is listed in SECRET_KEY",
                          document["_id"])
    return keys


def writing_key(keys: list[bytes]) -> bytes:
    """The current tenant's writing key: its first, or one made now. Each made key has an
    id of its own, so workers making one at once, or a restore bringing another store's,
    add keys beside each other and never replace one (lookups try them all)."""
    if keys:
        return keys[0]
    _keep_derived_keys()  # entries an older version wrote, before this tenant's first key
    key = secrets.token_bytes(32)
    scoped(ErasedContact).insert_one({
        "_id": f"{PREFIX}{current_tenant_id()}:{clock.now_ms():013d}-{secrets.token_hex(4)}", "erased_at": 0,
        "created_at": clock.now_ms(), "key": secret_box.encrypt(base64.b64encode(key).decode())})
    return key


def _keep_derived_keys() -> int:
    """Store the keys derived from SECRET_KEY's keys (which older versions wrote entries
    under) as the current tenant's ledger keys; how many were not stored yet."""
    kept = 0
    for key in secret_box.hmac_keys():
        sealed = secret_box.encrypt(base64.b64encode(key).decode())
        kept += bool(scoped(ErasedContact).update_one(
            {"_id": _derived_id(current_tenant_id(), key)},
            {"$setOnInsert": {"erased_at": 0, "key": sealed, "created_at": clock.now_ms()}}, upsert=True).upserted_id)
    return kept


def _derived_id(tenant_id: str, key: bytes) -> str:
    # Sorts after a made key ("...:<13-digit time>-..."): a made key writes once there is one.
    return f"{PREFIX}{tenant_id}:derived-{hashlib.sha256(key).hexdigest()[:16]}"


def settle() -> dict:
    """At start-up, after a restore: keep the SECRET_KEY-derived keys of tenants whose
    ledgers hold entries and no key yet (written by an older version) as their ledger keys, and re-encrypt every ledger key under
    SECRET_KEY's first key. Counts {"kept": derived keys stored, "resealed": n,
    "unreadable": n}."""
    counts = {"kept": 0, "resealed": 0, "unreadable": 0}
    ledger = GlobalCollection(ErasedContact)
    with_entries = {e["tenant_id"] for e in ledger.find({"key": None}, projection={"tenant_id": 1})}
    with_keys = {e["tenant_id"] for e in ledger.find({"key": {"$gt": ""}}, projection={"tenant_id": 1})}
    for tenant_id in sorted(with_entries - with_keys):  # ledgers as older versions wrote them
        with tenant_scope(tenant_id):
            counts["kept"] += _keep_derived_keys()
    counts.update(secret_box.reseal_field(ledger, "key"))
    if counts["unreadable"]:
        log.error("%s erasure ledger keys cannot be decrypted with SECRET_KEY: the erasures recorded under them "
                  "are not recognised until the key that encrypted them is listed in SECRET_KEY",
                  counts["unreadable"])
    return counts
