"""Tenants' stored secrets (Cloud app secret and verify token): sealed with SECRET_KEY
in the database, in snapshots and in the last-known files; opened only to verify.

Tenants written before encryption hold clear values. They are sealed at start-up
(`seal_stored_secrets`, run by the gunicorn master before workers fork, and after
every restore) rather than on first read: a tenant whose webhooks are idle would
otherwise keep its secrets in clear in the database, and so in every snapshot, for as
long as it stays idle. Until then a clear value still verifies, so nothing stops.
A secret no listed key opens (a snapshot from a host with another SECRET_KEY, a key
dropped too early) is treated as unset: Cloud webhooks answer 401 until it is set
again; never a 500.
"""
import logging

from models.collections import GlobalCollection
from models.tenant import Tenant
from services import clock, secret_box

log = logging.getLogger(__name__)
SECRET_FIELDS = ("cloud_app_secret", "cloud_verify_token")
_reported: set = set()  # (tenant id, field, stored value) already logged as unreadable


def revealed(tenant, field: str) -> str | None:
    """The clear value of a tenant's secret, or None when unset or unreadable."""
    stored = getattr(tenant, field)
    if not stored:
        return None
    if not secret_box.is_sealed(stored):
        return stored  # from before encryption; sealed at the next start
    try:
        return secret_box.decrypt(stored)
    except secret_box.SecretKeyError:
        if (tenant.id, field, stored) not in _reported:
            _reported.add((tenant.id, field, stored))
            log.error("tenant %s: SECRET_KEY does not open its %s; treated as unset until it is set again",
                      tenant.slug, field)
        return None


def seal_changes(changes: dict) -> dict:
    """Settings about to be stored, with their secrets encrypted."""
    return {name: secret_box.sealed(value) if name in SECRET_FIELDS else value for name, value in changes.items()}


def sealed_record(record: dict) -> dict:
    """A tenant record (a raw document) with any clear secret sealed, for snapshots: they
    carry only ciphertext even if a clear value reached the database some other way."""
    if any(record.get(field) and not secret_box.is_sealed(record[field]) for field in SECRET_FIELDS):
        return {**record, **{field: secret_box.sealed(record.get(field)) for field in SECRET_FIELDS}}
    return record


def settle_record(record: dict) -> list[str]:
    """Make a tenant record (a raw document) hold only ciphertext under the first key:
    seal clear values, re-encrypt those under an older listed key, and unset those no
    key opens. Returns the fields unset, which must be set again."""
    lost = []
    for field in SECRET_FIELDS:
        stored = record.get(field)
        if not stored:
            continue
        try:
            record[field] = secret_box.settled(stored) or stored
        except secret_box.SecretKeyError:
            record[field] = None
            lost.append(field)
    return lost


def seal_stored_secrets(unset_unreadable: bool = False) -> dict:
    """Settle every tenant's stored secrets (see settle_record); returns {slug: [field,
    ...]} of the secrets no listed key opens. Those are unset only when asked (after a
    restore, where their key is elsewhere): at a plain start the cause may be a
    SECRET_KEY set wrongly, and the next start with the right one must still find them."""
    collection = GlobalCollection(Tenant)
    unreadable = {}
    for record in collection.find({}, projection={"slug": 1, **{field: 1 for field in SECRET_FIELDS}}):
        before = dict(record)
        lost = settle_record(record)
        if lost:
            unreadable[record["slug"]] = lost
            if not unset_unreadable:
                for field in lost:
                    record[field] = before[field]
        changed = {field: record.get(field) for field in SECRET_FIELDS if record.get(field) != before.get(field)}
        if changed:
            # Only if nobody changed them meanwhile; a new stamp so caches and last-known files follow.
            collection.update_one({"_id": record["_id"], **{f: before.get(f) for f in changed}},
                                  {"$set": {**changed, "updated_at": clock.now_ms()}, "$inc": {"version": 1}})
    if unreadable:
        log.error("SECRET_KEY opens none of these stored secrets; %s: %s. Set them again (PATCH "
                  "/api/v1/admin/tenants/<slug>)%s", "unset" if unset_unreadable else "treated as unset",
                  "; ".join(f"{slug} ({', '.join(fields)})" for slug, fields in sorted(unreadable.items())),
                  "" if unset_unreadable else ", or list the key that encrypted them in SECRET_KEY")
    return unreadable
