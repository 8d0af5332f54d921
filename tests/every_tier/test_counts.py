"""models.collections.counted on every tier: the count of each query the service counts
with (equality, null, ranges, $in, $nin, $ne, $exists, $and, $or, dotted fields, none),
with and without a limit, equals what a find returns; over the wire it is one `count`
command, never the aggregation that nx-27017 runs in Python over every match, except
for an operator that command would count otherwise ($ne)."""
import pytest
from pymongo import MongoClient, monitoring

from models.collections import counted

QUERIES = [
    {},
    {"published": 0},
    {"published": 0, "tenant_id": "t1"},
    {"n": {"$gte": 5}},
    {"n": {"$gt": 3}, "tag": "x"},
    {"tag": {"$in": ["x", "y"]}},
    {"tag": {"$ne": "x"}},  # not a counted operator: count_documents (nx-27017's `count` would leave out the missing)
    {"tag": {"$nin": ["x"]}},
    {"tag": {"$exists": False}},
    {"tag": {"$exists": True}},
    {"tag": None},
    {"tag": {"$in": ["x", None]}},
    {"$or": [{"n": 1}, {"tag": "y"}]},
    {"$and": [{"n": {"$gt": 3}}, {"n": {"$lt": 20}}]},
    {"nested.a": 2},
    {"unread_count": {"$gt": 0}},
    {"n": {"$lt": 0}},  # none
]


class Commands(monitoring.CommandListener):
    def __init__(self):
        self.names = []

    def started(self, event):
        self.names.append(event.command_name)

    def succeeded(self, event):
        pass

    def failed(self, event):
        pass


@pytest.fixture
def collection(database_uri):
    commands = Commands()
    if database_uri.startswith("mongomock://"):
        import mongomock

        client = mongomock.MongoClient()
    else:
        client = MongoClient(database_uri, event_listeners=[commands])
    things = client.get_database("counts_test" if database_uri.startswith("mongomock://") else None).things
    things.insert_many([{"_id": f"d{n}", "n": n, "tenant_id": f"t{n % 2}", "published": n % 3 and 1,
                         "unread_count": n % 4, "nested": {"a": n % 5},
                         **({"tag": "xyz"[n % 3]} if n % 4 else {})} for n in range(40)])
    commands.names.clear()
    yield things, commands, database_uri.startswith("mongomock://")
    things.drop()
    client.close()


@pytest.mark.parametrize("query", QUERIES, ids=[str(q) for q in QUERIES])
def test_a_count_is_what_a_find_returns(collection, query):
    things, _commands, _mongomock = collection
    found = len(list(things.find(query)))
    assert counted(things, query) == found
    for limit in (1, 7, 100):
        assert counted(things, query, limit) == min(found, limit)


def test_over_the_wire_it_is_one_count_command(collection):
    things, commands, mongomock = collection
    if mongomock:
        pytest.skip("mongomock has no `count` command: count_documents there")
    assert counted(things, {"published": 0}, 500) == len(list(things.find({"published": 0})))
    assert commands.names[0] == "count" and "aggregate" not in commands.names
    counted(things, {"tag": {"$ne": "x"}})
    assert commands.names[-1] == "aggregate"
