"""The tenancy guard: every tenant-owned document is scoped, every index leads with tenant_id."""
import pytest
from mongoengine.base import _document_registry

import models
from models.collections import scoped
from models.gateway_session import GatewaySession
from models.tenancy import TenantDocument, TenantNotSet, TenantQuerySet, scoped_filter, tenant_scope


def _concrete_documents():
    return [cls for cls in _document_registry.values() if not cls._meta.get("abstract")]


def test_every_document_is_tenant_scoped_or_declared_global():
    for cls in _concrete_documents():
        if cls in models.GLOBAL_DOCUMENTS:
            continue
        assert issubclass(cls, TenantDocument), f"{cls.__name__} is not a TenantDocument"
        assert cls._meta["queryset_class"] is TenantQuerySet
        assert cls in models.TENANT_DOCUMENTS, f"{cls.__name__} missing from TENANT_DOCUMENTS"


def test_every_index_of_a_tenant_document_starts_with_tenant_id():
    for cls in models.TENANT_DOCUMENTS:
        specs = cls._meta.get("index_specs") or []
        assert specs, f"{cls.__name__} has no index"
        for spec in specs:
            assert spec["fields"][0][0] == "tenant_id", f"{cls.__name__}: {spec}"


def test_queries_without_a_tenant_raise(app):
    with app.app_context():
        with pytest.raises(TenantNotSet):
            GatewaySession.objects(session_id="x").first()
        with pytest.raises(TenantNotSet):
            scoped(GatewaySession).find_one({"session_id": "x"})
        with pytest.raises(TenantNotSet):
            scoped(GatewaySession).insert_one({"session_id": "x"})


def test_scoped_queries_see_only_their_tenant(app):
    with app.app_context():
        with tenant_scope("tenant-a"):
            scoped(GatewaySession).insert_one({"session_id": "s", "status": "open"})
            assert GatewaySession.objects.count() == 1
        with tenant_scope("tenant-b"):
            assert GatewaySession.objects.count() == 0
            assert scoped(GatewaySession).find_one({"session_id": "s"}) is None
            with pytest.raises(TenantNotSet):
                scoped(GatewaySession).find_one({"session_id": "s", "tenant_id": "tenant-a"})
            assert scoped(GatewaySession).delete_many({}) == 0
        with tenant_scope("tenant-a"):
            assert GatewaySession.objects(session_id="s").count() == 1


def test_lookups_by_id_return_only_the_tenants_own(app):
    with app.app_context():
        for tenant in ("tenant-a", "tenant-b"):
            with tenant_scope(tenant):
                scoped(GatewaySession).insert_one({"_id": f"{tenant}-1", "session_id": "s"})
        with tenant_scope("tenant-b"):
            found = scoped(GatewaySession).find_by_ids(["tenant-a-1", "tenant-b-1", "missing"])
            assert [document["_id"] for document in found] == ["tenant-b-1"]
        with pytest.raises(TenantNotSet):
            scoped(GatewaySession).find_by_ids(["tenant-a-1"])


def test_a_writes_top_level_or_goes_inside_an_and():
    """Beside a top-level $or, nx-27017's updates drop the filter's other keys (the
    tenant's among them): a write's filter carries it inside an $and, a read's as given."""
    either = [{"a": 1}, {"b": 2}]
    with tenant_scope("t1"):
        written = scoped_filter({"c": 3, "$or": either, "$and": [{"d": 4}]}, write=True)
        read = scoped_filter({"c": 3, "$or": either})
    assert written == {"tenant_id": {"$eq": "t1"}, "c": {"$eq": 3}, "$and": [{"d": 4}, {"$or": either}]}
    assert list(written)[0] == "tenant_id" and "$or" not in written
    assert read == {"tenant_id": {"$eq": "t1"}, "c": {"$eq": 3}, "$or": either}
