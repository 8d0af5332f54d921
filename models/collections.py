"""The one module that touches raw pymongo collections.

Atomic operations MongoEngine cannot express ($setOnInsert with $inc, $push with
$slice, conditional updates) go through ScopedCollection, which adds the current
tenant to every filter and every inserted document, exactly as TenantQuerySet does.
`in_order` applies such writes, on several collections, in one round trip.
"""
import logging
import time
import weakref
from collections.abc import Callable
from dataclasses import dataclass

from pymongo import MongoClient, ReturnDocument
from pymongo.collection import Collection
from pymongo.errors import BulkWriteError, DuplicateKeyError, OperationFailure, WriteConcernError, WriteError

from models.lean_command import write_command
from models.tenancy import current_tenant_id, scoped_filter

# MongoDB 8.0 (wire version 25) has the bulkWrite command: writes to several collections
# in one command. nx-27017 has it too; mongomock and older servers do not.
CLIENT_BULK_WIRE_VERSION = 25
DUPLICATE_KEY = 11000
BULK_WRITE_REFUSED = {59, 115, 8000}  # CommandNotFound, CommandNotSupported, AtlasError
_without_client_bulk_write: "weakref.WeakSet[MongoClient]" = weakref.WeakSet()
_bulk_write_checked: "weakref.WeakKeyDictionary[MongoClient, float]" = weakref.WeakKeyDictionary()
BULK_WRITE_CHECK_S = 10
# Operators whose matches nx-27017's `count` command finds as its find does (tests/every_tier/test_counts.py)
COUNTED_OPERATORS = frozenset({"$and", "$or", "$eq", "$gt", "$gte", "$lt", "$lte", "$in", "$nin", "$exists"})

log = logging.getLogger(__name__)


class ScopedCollection:
    def __init__(self, document_class):
        self._collection: Collection = document_class._get_collection()

    def insert_one(self, document: dict):
        return self._collection.insert_one({**document, "tenant_id": current_tenant_id()})

    def find_one(self, query: dict, projection=None):
        return self._collection.find_one(scoped_filter(query), projection)

    def find(self, query: dict, sort=None, limit: int = 0, projection=None):
        return self._collection.find(scoped_filter(query), projection, sort=sort, limit=limit)

    def find_by_ids(self, ids: list, fields: tuple[str, ...] = ()) -> list:
        """This tenant's documents among `ids` (only `fields` of them, if given). They are
        asked for by _id alone and the tenant is checked here: with tenant_id in the query,
        nx-27017's SQLite plans on the tenant's index and reads every document of the
        tenant to pick out a few."""
        tenant_id = current_tenant_id()
        projection = {field: 1 for field in ("tenant_id", *fields)} if fields else None
        return [document for document in self._collection.find({"_id": {"$in": list(ids)}}, projection)
                if document.get("tenant_id") == tenant_id]

    def count(self, query: dict, limit: int = 0) -> int:
        """How many match, counting no further than `limit` (0: all)."""
        return counted(self._collection, scoped_filter(query), limit)

    def insert_new(self, documents: list[dict]) -> int:
        """Insert those of `documents` whose _id is not there yet, in one command; how many."""
        tenant_id = current_tenant_id()
        try:
            return len(self._collection.insert_many([{**d, "tenant_id": tenant_id} for d in documents],
                                                    ordered=False).inserted_ids)
        except BulkWriteError as exc:
            if any(error.get("code") != DUPLICATE_KEY for error in exc.details.get("writeErrors", [])):
                raise
            return exc.details.get("nInserted", 0)

    def update_one(self, query: dict, update: dict, upsert: bool = False):
        return self._collection.update_one(scoped_filter(query, write=True), update, upsert=upsert)

    def counts_by(self, query: dict, field: str) -> dict:
        """{value of `field`: how many match} in one aggregation (a single-field $group key)."""
        rows = self._collection.aggregate([{"$match": scoped_filter(query)},
                                           {"$group": {"_id": f"${field}", "count": {"$sum": 1}}}])
        return {row["_id"]: row["count"] for row in rows}

    def update_many(self, query: dict, update: dict) -> int:
        return self._collection.update_many(scoped_filter(query, write=True), update).modified_count

    def insert_write(self, document: dict) -> "Write":
        """insert_one, to be applied by `in_order`."""
        document = {**document, "tenant_id": current_tenant_id()}
        return Write(self._collection, (_insert_op(document),), lambda: self._collection.insert_one(document))

    def insert_new_write(self, documents: list[dict]) -> "Write":
        """insert_new, to be applied by `in_order`: in its bulkWrite an insert each (a
        duplicate stops there, as any write does), elsewhere one insert_many that skips them."""
        tenant_id = current_tenant_id()
        return Write(self._collection, tuple(_insert_op({**d, "tenant_id": tenant_id}) for d in documents),
                     lambda: self.insert_new(documents))

    def update_write(self, query: dict, update: dict, upsert: bool = False) -> "Write":
        """update_one, to be applied by `in_order`."""
        return _update_write(self._collection, scoped_filter(query, write=True), update, upsert)

    def find_one_and_update(self, query: dict, update: dict, upsert: bool = False):
        return self._collection.find_one_and_update(
            scoped_filter(query, write=True), update, upsert=upsert, return_document=ReturnDocument.AFTER)

    def delete_one(self, query: dict) -> int:
        return self._collection.delete_one(scoped_filter(query, write=True)).deleted_count

    def delete_many(self, query: dict) -> int:
        return self._collection.delete_many(scoped_filter(query, write=True)).deleted_count


def scoped(document_class) -> ScopedCollection:
    return ScopedCollection(document_class)


@dataclass(frozen=True)
class Write:
    """One scoped write on `collection`: as operations of the bulkWrite command (`ops`:
    (kind, fields) in the server's own form, _insert_op and _update_op), and as a command
    of its own (`apply`)."""
    collection: Collection
    ops: tuple[tuple[str, dict], ...]
    apply: Callable[[], object]


def _insert_op(document: dict) -> tuple[str, dict]:
    return "insert", {"document": document}


def _update_op(query: dict, update: dict, upsert: bool) -> tuple[str, dict]:
    return "update", {"filter": query, "updateMods": update, "upsert": upsert, "multi": False}


def _update_write(collection: Collection, query: dict, update: dict, upsert: bool) -> Write:
    return Write(collection, (_update_op(query, update, upsert),),
                 lambda: collection.update_one(query, update, upsert=upsert))


class DuplicateKeyAt(DuplicateKeyError):
    """Write number `index` of `in_order` hit a unique index: the writes before it are
    applied, it and those after it are not."""

    def __init__(self, index: int, details: dict):
        super().__init__(details.get("errmsg", "duplicate key"), DUPLICATE_KEY, details)
        self.index = index


def counted(collection: Collection, query: dict, limit: int = 0) -> int:
    """How many documents of `collection` match `query`, no more than `limit` (0: all).

    Over the wire this is the `count` command, which MongoDB answers exactly for a query
    as count_documents' aggregation does, and nx-27017 in SQL: its aggregation loads
    every match in Python first (2,000 matches: 69 ms of the database's CPU against 3,
    whatever the limit), and the Kafka publisher counts its backlog every second, which
    grows while the broker is away. Only for queries of COUNTED_OPERATORS: nx-27017's
    `count` leaves out a document without the field of a `$ne`, which find matches.
    mongomock has no `count` command.
    """
    if not isinstance(collection.database.client, MongoClient) or not _counted_alike(query):
        return collection.count_documents(query, **({"limit": limit} if limit else {}))
    command = {"count": collection.name, "query": query, **({"limit": limit} if limit else {})}
    return int(collection.database.command(command)["n"])


def _counted_alike(query) -> bool:
    """Whether every operator in `query` is one of COUNTED_OPERATORS."""
    if isinstance(query, dict):
        return all((not key.startswith("$") or key in COUNTED_OPERATORS) and _counted_alike(value)
                   for key, value in query.items())
    if isinstance(query, list):
        return all(_counted_alike(item) for item in query)
    return True


def in_order(*writes: Write) -> None:
    """Apply `writes` in order, stopping at the first that fails, in one database command
    where the server has bulkWrite and one command each elsewhere; a duplicate key
    raises DuplicateKeyAt, any other failure what the driver raised. Like separate
    commands, and unlike a transaction, the writes before a failure stay applied.
    """
    client = writes[0].collection.database.client
    if _has_client_bulk_write(client):
        try:
            _in_one_command(client, writes)
            return
        except OperationFailure as exc:
            if exc.code not in BULK_WRITE_REFUSED or isinstance(exc, WriteError):  # one write's error
                raise
            # The whole command was refused, nothing applied: some hosted tiers answer
            # wire version 25 and still do not allow bulkWrite.
            log.warning("the database refuses bulkWrite (%s): writing one command at a time", exc)
            _without_client_bulk_write.add(client)
    for index, write in enumerate(writes):
        try:
            write.apply()
        except DuplicateKeyError as exc:
            raise DuplicateKeyAt(index, exc.details or {}) from exc


def _in_one_command(client: MongoClient, writes) -> None:
    """The bulkWrite command as the server takes it, sent as a plain command: the driver's
    MongoClient.bulk_write builds a model and a result object per operation, about a
    quarter of the command's client CPU (a new message's write: 260 us, 190 us so; issue
    26), and without a session (models.lean_command: 45 us less). Sent so, a network error
    raises as itself and the command is not retried (the webhook spools what it could not
    store; a message's id makes the replay a duplicate)."""
    namespaces: dict[str, int] = {}
    ops, owners = [], []  # each operation, and the number of the write it belongs to
    for index, write in enumerate(writes):
        position = namespaces.setdefault(write.collection.full_name, len(namespaces))
        for kind, fields in write.ops:
            ops.append({kind: position, **fields})  # the kind's key first: the server reads it so
            owners.append(index)
    command = {"bulkWrite": 1, "ops": ops, "nsInfo": [{"ns": ns} for ns in namespaces], "ordered": True,
               "errorsOnly": True}
    if not client.write_concern.is_server_default:  # a `w=` in MONGODB_URI: Database.command does not add it
        command["writeConcern"] = client.write_concern.document
    reply = write_command(client, "admin", command)
    if reply.get("writeConcernError"):
        raise WriteConcernError(reply["writeConcernError"].get("errmsg", "write concern error"),
                                reply["writeConcernError"].get("code"), reply["writeConcernError"])
    if reply.get("nErrors"):  # ordered: the first error stopped the writes, and it is the one reported
        error = reply["cursor"]["firstBatch"][0]
        if error.get("code") == DUPLICATE_KEY:
            raise DuplicateKeyAt(owners[error["idx"]], error)
        raise WriteError(error.get("errmsg", "bulkWrite failed"), error.get("code"), error)


def _has_client_bulk_write(client) -> bool:
    """Whether every writable server the client knows has the bulkWrite command. Before
    the client has met its servers this is False: those first writes go one by one.
    A yes is remembered for BULK_WRITE_CHECK_S (reading the topology costs a copy of it,
    on every message)."""
    if not isinstance(client, MongoClient) or client in _without_client_bulk_write:  # mongomock
        return False
    if _bulk_write_checked.get(client, float("-inf")) > time.monotonic() - BULK_WRITE_CHECK_S:
        return True
    servers = [s for s in client.topology_description.server_descriptions().values() if s.is_writable]
    if bool(servers) and all(s.max_wire_version >= CLIENT_BULK_WIRE_VERSION for s in servers):
        _bulk_write_checked[client] = time.monotonic()
        return True
    return False


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

    def count(self, query: dict, limit: int = 0) -> int:
        """How many match, counting no further than `limit` (0: all)."""
        return counted(self._collection, query, limit)

    def sums_by_tenant(self, tenant_ids: list, fields: tuple[str, ...] = ()) -> dict[str, dict]:
        """{tenant_id: {"count": n, field: sum, ...}} for `tenant_ids`, in one aggregation
        (a single-field $group key, which every backend groups alike)."""
        group = {"_id": "$tenant_id", "count": {"$sum": 1}, **{f: {"$sum": f"${f}"} for f in fields}}
        rows = self._collection.aggregate([{"$match": {"tenant_id": {"$in": list(tenant_ids)}}}, {"$group": group}])
        return {row.pop("_id"): row for row in rows}

    def insert_one(self, document: dict):
        return self._collection.insert_one(document)

    def insert_many(self, documents: list):
        return self._collection.insert_many(documents, ordered=False)

    def update_one(self, query: dict, update: dict, upsert: bool = False):
        return self._collection.update_one(query, update, upsert=upsert)

    def update_write(self, query: dict, update: dict, upsert: bool = False) -> "Write":
        """update_one, to be applied by `in_order`."""
        return _update_write(self._collection, query, update, upsert)

    def find_one(self, query: dict):
        return self._collection.find_one(query)

    def update_many(self, query: dict, update: dict) -> int:
        return self._collection.update_many(query, update).matched_count

    def delete_one(self, query: dict) -> int:
        return self._collection.delete_one(query).deleted_count

    def replace_one(self, query: dict, document: dict) -> int:
        """Replace the matching document; how many matched (0 or 1)."""
        return self._collection.replace_one(query, document).matched_count

    def delete_many(self, query: dict) -> int:
        return self._collection.delete_many(query).deleted_count
