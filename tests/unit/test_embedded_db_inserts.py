"""The embedded database's insert of plain documents (embedded_db_server._internal_insert_plain)
against neosqlite's own: the same rows, without SQLite re-checking the JSON."""
import datetime
import math
import sqlite3

import pytest
from bson.int64 import Int64
from hypothesis import given, settings
from hypothesis import strategies as st
from neosqlite import Connection
from neosqlite.objectid import ObjectId

from services.operations import embedded_db_server
from services.operations.embedded_db_server import _internal_insert, _internal_insert_plain

scalars = (st.text() | st.integers(min_value=-(2 ** 70), max_value=2 ** 70)
           | st.integers(min_value=-(2 ** 63), max_value=2 ** 63 - 1).map(Int64)  # as the wire gives them
           | st.floats(allow_nan=False, allow_infinity=False) | st.booleans() | st.none())
values = st.recursive(scalars, lambda inner: st.lists(inner, max_size=4)
                      | st.dictionaries(st.text(max_size=8), inner, max_size=4), max_leaves=20)
plain_documents = st.builds(lambda _id, rest: {"_id": _id, **rest},
                            st.text(min_size=1) | st.integers(min_value=-(2 ** 62), max_value=2 ** 62),
                            st.dictionaries(st.text(max_size=8).filter(lambda key: key != "_id"), values, max_size=6))


def _stores():
    """Two fresh collections, one written by neosqlite's insert, one by ours."""
    connection = Connection(":memory:")
    return connection, connection["theirs"].query_engine.helpers, connection["ours"].query_engine.helpers


def _rows(connection, table):
    return connection.db.execute(f"SELECT _id, data FROM {table} ORDER BY id").fetchall()


@settings(max_examples=300, deadline=None)
@given(plain_documents)
def test_a_plain_document_is_stored_as_neosqlite_stores_it(document):
    connection, theirs, ours = _stores()
    assert _internal_insert(theirs, dict(document)) == _internal_insert_plain(ours, dict(document))
    assert _rows(connection, "theirs") == _rows(connection, "ours")


@pytest.mark.parametrize("text", ["plain", "quote \" backslash \\ tab \t nul \x00", "ação ✓ 😀", "\u2028\u2029",
                                  "lone \ud800 surrogate", "\udfff"])
def test_text_of_every_kind_is_stored_as_neosqlite_stores_it(text):
    connection, theirs, ours = _stores()
    for helper, insert in ((theirs, _internal_insert), (ours, _internal_insert_plain)):
        insert(helper, {"_id": "m", "text": text, "nested": {text: [text]}})
    assert _rows(connection, "theirs") == _rows(connection, "ours")


def test_sqlite_checks_the_json_only_of_a_text_with_an_escaped_surrogate():
    connection, _theirs, ours = _stores()
    statements = []
    connection.db.set_trace_callback(statements.append)
    _internal_insert_plain(ours, {"_id": "m1", "text": "oi", "at": Int64(1796564860205)})
    assert not [sql for sql in statements if "json_valid" in sql]
    _internal_insert_plain(ours, {"_id": "m2", "text": "lone \ud800"})
    assert [sql for sql in statements if "json_valid" in sql]


@pytest.mark.parametrize("document", [
    {"_id": ObjectId(), "n": 1},
    {"_id": "m", "at": datetime.datetime(2026, 12, 6, tzinfo=datetime.timezone.utc)},
    {"_id": "m", "blob": b"\x00\x01"},
    {"_id": "m", "id": ObjectId()},
    {"n": 1},  # no _id: neosqlite makes one
    {"_id": None, "n": 1},
])
def test_what_json_does_not_write_as_it_is_goes_to_neosqlite(document, monkeypatch):
    connection, _theirs, ours = _stores()
    handed = []
    monkeypatch.setattr(embedded_db_server, "_internal_insert",
                        lambda helper, doc: handed.append(doc) or _internal_insert(helper, doc))
    _internal_insert_plain(ours, document)
    assert handed == [document] and len(_rows(connection, "ours")) == 1


@pytest.mark.parametrize("number", [math.nan, math.inf, -math.inf])
def test_a_number_json_cannot_hold_is_refused_as_neosqlite_refuses_it(number):
    connection, theirs, ours = _stores()
    for helper, insert in ((theirs, _internal_insert), (ours, _internal_insert_plain)):
        with pytest.raises(ValueError, match="Invalid JSON document"):
            insert(helper, {"_id": "m", "n": number})
    assert _rows(connection, "theirs") == _rows(connection, "ours") == []


def test_a_duplicate_id_is_refused_as_neosqlite_refuses_it():
    connection, theirs, ours = _stores()
    connection.db.execute("CREATE UNIQUE INDEX ours_id ON ours(_id)")
    connection.db.execute("CREATE UNIQUE INDEX theirs_id ON theirs(_id)")
    for helper, insert in ((theirs, _internal_insert), (ours, _internal_insert_plain)):
        insert(helper, {"_id": "m", "n": 1})
        with pytest.raises(sqlite3.IntegrityError):
            insert(helper, {"_id": "m", "n": 2})
    assert _rows(connection, "theirs") == _rows(connection, "ours")
