"""The one module that touches raw pymongo collections.

Atomic operations MongoEngine cannot express ($setOnInsert with $inc, $push with
$slice, conditional updates) go through ScopedCollection, which adds the current
tenant to every filter and every inserted document, exactly as TenantQuerySet does.
"""
from pymongo import ReturnDocument
from pymongo.collection import Collection

from models.tenancy import current_tenant_id, scoped_filter


class ScopedCollection:
    def __init__(self, document_class):
        self._collection: Collection = document_class._get_collection()

    def insert_one(self, document: dict):
        return self._collection.insert_one({**document, "tenant_id": current_tenant_id()})

    def find_one(self, query: dict, projection=None):
        return self._collection.find_one(scoped_filter(query), projection)

    def find(self, query: dict, sort=None, limit: int = 0, projection=None):
        return self._collection.find(scoped_filter(query), projection, sort=sort, limit=limit)

    def find_by_ids(self, ids: list) -> list:
        """This tenant's documents among `ids`. They are asked for by _id alone and the
        tenant is checked here: with tenant_id in the query, nx-27017's SQLite plans on
        the tenant's index and reads every document of the tenant to pick out a few."""
        tenant_id = current_tenant_id()
        return [document for document in self._collection.find({"_id": {"$in": list(ids)}})
                if document.get("tenant_id") == tenant_id]

    def count(self, query: dict) -> int:
        return self._collection.count_documents(scoped_filter(query))

    def update_one(self, query: dict, update: dict, upsert: bool = False):
        return self._collection.update_one(scoped_filter(query), update, upsert=upsert)

    def find_one_and_update(self, query: dict, update: dict, upsert: bool = False):
        return self._collection.find_one_and_update(
            scoped_filter(query), update, upsert=upsert, return_document=ReturnDocument.AFTER)

    def delete_one(self, query: dict) -> int:
        return self._collection.delete_one(scoped_filter(query)).deleted_count

    def delete_many(self, query: dict) -> int:
        return self._collection.delete_many(scoped_filter(query)).deleted_count


def scoped(document_class) -> ScopedCollection:
    return ScopedCollection(document_class)


class GlobalCollection:
    """A whole collection, every tenant's documents: for what is not tenant-owned
    (tenants, leases) and for whole-database work (snapshots, restore)."""

    def __init__(self, document_class):
        self._collection: Collection = document_class._get_collection()

    @property
    def name(self) -> str:
        return self._collection.name

    def find(self, query: dict, sort=None, limit: int = 0, projection=None):
        return self._collection.find(query, projection, sort=sort, limit=limit)

    def count(self, query: dict) -> int:
        return self._collection.count_documents(query)

    def insert_one(self, document: dict):
        return self._collection.insert_one(document)

    def insert_many(self, documents: list):
        return self._collection.insert_many(documents, ordered=False)

    def update_one(self, query: dict, update: dict):
        return self._collection.update_one(query, update)

    def replace_one(self, query: dict, document: dict) -> int:
        """Replace the matching document; how many matched (0 or 1)."""
        return self._collection.replace_one(query, document).matched_count

    def delete_many(self, query: dict) -> int:
        return self._collection.delete_many(query).deleted_count
