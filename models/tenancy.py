"""Tenancy is enforced, not remembered.

The current tenant lives in a context variable set by authentication (per request)
or by `tenant_scope` (jobs, CLI). Every tenant-owned document uses TenantQuerySet,
which adds the tenant to every query and raises when none is set, so a forgotten
filter fails loudly instead of leaking another tenant's data.
"""
from contextlib import contextmanager
from contextvars import ContextVar

from mongoengine import Document, QuerySet, StringField

_current_tenant: ContextVar[str | None] = ContextVar("chatkeep_tenant", default=None)


class TenantNotSet(RuntimeError):
    """A tenant-owned collection was touched with no tenant in scope."""


def current_tenant_id() -> str:
    tenant_id = _current_tenant.get()
    if not tenant_id:
        raise TenantNotSet("no tenant in scope: use tenant_scope() or authenticate first")
    return tenant_id


def set_current_tenant(tenant_id: str | None):
    """Set the tenant for the rest of this context; returns a token for reset."""
    return _current_tenant.set(tenant_id)


def reset_current_tenant(token) -> None:
    _current_tenant.reset(token)


@contextmanager
def tenant_scope(tenant_id: str):
    token = _current_tenant.set(tenant_id)
    try:
        yield tenant_id
    finally:
        _current_tenant.reset(token)


def scoped_filter(query: dict | None = None, write: bool = False) -> dict:
    """`query` restricted to the current tenant; a different tenant in it raises.

    The filter is also put in the one form both databases handle alike: tenant_id
    first, operators last, and equalities spelled `{"$eq": v}` (the form nx-27017
    answers from an index; a bare value makes it scan every document). In a write's
    filter (`write`) a top-level `$or` goes inside an `$and`: beside a top-level `$or`,
    nx-27017's updates drop the filter's other keys, the tenant's among them, and
    matched another conversation's summary (docs/PERFORMANCE.md, found on the way).
    """
    tenant_id = current_tenant_id()
    query = dict(query or {})
    if query.pop("tenant_id", tenant_id) != tenant_id:
        raise TenantNotSet("query names another tenant than the one in scope")
    fields = {key: _as_eq(value) for key, value in query.items() if not key.startswith("$")}
    operators = {key: value for key, value in query.items() if key.startswith("$")}
    if write and "$or" in operators:
        operators["$and"] = [*operators.get("$and", []), {"$or": operators.pop("$or")}]
    return {"tenant_id": {"$eq": tenant_id}, **fields, **operators}


def _as_eq(value):
    if isinstance(value, dict) and any(str(k).startswith("$") for k in value):
        return value
    return {"$eq": value}


class TenantQuerySet(QuerySet):
    @property
    def _query(self):
        return scoped_filter(super()._query)


class TenantDocument(Document):
    """Base of every tenant-owned document: carries tenant_id, queries are scoped."""

    tenant_id = StringField(required=True)
    meta = {"abstract": True, "queryset_class": TenantQuerySet}

    def clean(self):
        if not self.tenant_id:
            self.tenant_id = current_tenant_id()
        elif self.tenant_id != current_tenant_id():
            raise TenantNotSet("document belongs to another tenant than the one in scope")
