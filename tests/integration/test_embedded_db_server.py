"""The embedded database's launcher (services/operations/embedded_db_server.py) on a real
nx-27017: a stop lets the running commands finish and starts no new one, an update that
changes nothing writes nothing, a bulkWrite is one transaction."""
import signal
import sqlite3
import socket
import threading
from urllib.parse import urlsplit

import pytest
from pymongo import InsertOne, MongoClient
from pymongo.errors import PyMongoError

from tests.integration.processes import start_nx, stop, wait_until

DOCUMENTS = 40_000  # one insert command (one transaction) that takes the server about 1.3 s here


def accepts_connections(uri: str) -> bool:
    address = urlsplit(uri)
    try:
        socket.create_connection((address.hostname, address.port), timeout=1).close()
        return True
    except OSError:
        return False


def test_a_stop_lets_the_running_command_finish_and_refuses_new_ones(tmp_path):
    proc, uri = start_nx(tmp_path)
    outcome = {}
    late = MongoClient(uri, maxPoolSize=1, serverSelectionTimeoutMS=1000, socketTimeoutMS=10_000)
    late.admin.command("ping")  # its connection is open before the stop

    def insert():
        client = MongoClient(uri, serverSelectionTimeoutMS=2000, socketTimeoutMS=60_000)
        try:
            outcome["inserted"] = len(client.chatkeep.big.insert_many(
                [{"_id": n, "text": f"mensagem {n}"} for n in range(DOCUMENTS)]).inserted_ids)
        except Exception as exc:  # what the client got instead: its connection reset
            outcome["error"] = exc
        finally:
            client.close()

    try:
        writer = threading.Thread(target=insert)
        writer.start()
        # The server creates the database's file at its first write: the insert is running.
        wait_until(lambda: (tmp_path / "db" / "chatkeep.db").exists(), 30, interval_s=0.005)
        proc.send_signal(signal.SIGTERM)
        wait_until(lambda: not accepts_connections(uri), 10, interval_s=0.005)  # the stop has begun
        assert writer.is_alive()
        with pytest.raises(PyMongoError):  # arrives during the stop: refused, not run
            late.chatkeep.other.insert_one({"_id": "late"})
        writer.join(60)
        assert outcome == {"inserted": DOCUMENTS}
        assert proc.wait(30) == 0
    finally:
        late.close()
        stop(proc)
    proc, uri = start_nx(tmp_path)  # the same files
    try:
        client = MongoClient(uri)
        assert client.chatkeep.big.count_documents({}) == DOCUMENTS
        assert client.chatkeep.other.count_documents({}) == 0
        client.close()
    finally:
        stop(proc)


def test_an_update_that_changes_nothing_writes_nothing(tmp_path):
    """As on MongoDB: the status write's guard (record_status) $sets a field to the value
    it holds, and nx-27017 rewrote the row and all its indexes for it."""
    proc, uri = start_nx(tmp_path)
    client = MongoClient(uri)
    try:
        docs = client.chatkeep.docs
        docs.insert_one({"_id": "m1", "n": 1, "s": "a", "none": None})
        files = sqlite3.connect(tmp_path / "db" / "chatkeep.db")  # a reader beside the server (WAL)
        version = lambda: files.execute("PRAGMA data_version").fetchone()[0]  # noqa: E731 - changes when another connection commits
        before = version()

        assert docs.update_one({"_id": "m1"}, {"$set": {"n": 1, "s": "a", "none": None}}).modified_count == 0
        assert version() == before

        for change, stored in (({"s": 1}, 1), ({"none": "x"}, "x"), ({"n": 2}, 2), ({"n": 2.0}, 2.0),
                               ({"new": 5}, 5)):
            field = next(iter(change))
            docs.update_one({"_id": "m1"}, {"$set": change})
            assert docs.find_one({"_id": "m1"})[field] == stored and type(docs.find_one({"_id": "m1"})[field]) is type(stored)
            assert version() != before
            before = version()
        files.close()
    finally:
        client.close()
        stop(proc)


def test_a_write_command_is_seen_whole_or_not_at_all(tmp_path):
    """An ordered write command to one database is one SQLite transaction: a reader
    beside the server sees none of its writes or all of them."""
    proc, uri = start_nx(tmp_path)
    client = MongoClient(uri)
    try:
        big = client.chatkeep.big
        big.insert_one({"_id": "first"})  # the table exists for the reader
        files = sqlite3.connect(tmp_path / "db" / "chatkeep.db", check_same_thread=False)

        def seen_while(write, query: str) -> set:
            seen, done = set(), threading.Event()

            def read():
                while not done.is_set():
                    seen.add(files.execute(query).fetchone()[0])
            reader = threading.Thread(target=read)
            reader.start()
            try:
                write()
            finally:
                done.set()
                reader.join()
            return seen

        count = "SELECT count(*) FROM big"
        assert seen_while(lambda: client.bulk_write([InsertOne({"_id": n}, namespace="chatkeep.big")
                                                     for n in range(3_000)]), count) <= {1, 3_001}
        assert seen_while(lambda: big.insert_many([{"_id": f"m{n}"} for n in range(3_000)]), count) <= {3_001, 6_001}
        marked = "SELECT count(*) FROM big WHERE json_extract(data, '$.x') = 1"
        assert seen_while(lambda: big.update_many({}, {"$set": {"x": 1}}), marked) <= {0, 6_001}
        # (nx-27017 deletes the matches in one statement: whole without the transaction too)
        assert seen_while(lambda: big.delete_many({"x": 1}), count) <= {0, 6_001}
        files.close()
    finally:
        client.close()
        stop(proc)
