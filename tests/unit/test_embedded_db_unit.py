"""Pure parts of the embedded database lifecycle."""
from models.db import redact
from services.operations import embedded_db


def test_redact_hides_passwords():
    assert redact("mongodb://user:pa55@host:27017/db") == "mongodb://user:***@host:27017/db"
    assert redact("mongodb://host/db") == "mongodb://host/db"


def test_stop_if_owner_leaves_others_servers_alone(tmp_path):
    # No state file: nothing to stop, nothing raised.
    assert embedded_db.stop_if_owner(str(tmp_path), 12345) is False
    assert embedded_db.running_pid(str(tmp_path)) is None


def test_the_embedded_server_commits_with_synchronous_full(tmp_path):
    """EMBEDDED_DB_SYNC=full: each SQLite connection nx-27017 opens is set to
    synchronous=FULL (2), so a commit reaches the disk before it is acknowledged; the
    default leaves nx-27017's WAL at NORMAL (1)."""
    from neosqlite import Connection

    from services.operations import embedded_db_server

    plain = Connection(str(tmp_path / "plain.db"))
    assert plain.db.execute("PRAGMA synchronous").fetchone()[0] == 1
    synced = Connection(str(tmp_path / "synced.db"))
    embedded_db_server._configure_connection_fully_synced(synced)
    assert synced.db.execute("PRAGMA synchronous").fetchone()[0] == 2


class _OneDatabase:
    """What _in_one_transaction asks of nx-27017's handler: a database's connection."""

    def __init__(self, path):
        from neosqlite import Connection
        self.connection = Connection(str(path))
        self.connection.db.execute("CREATE TABLE docs (n INTEGER UNIQUE)")

    def get_database(self, _name):
        return self.connection

    def stored(self):
        return [n for (n,) in self.connection.db.execute("SELECT n FROM docs ORDER BY n")]


def _insert(**body):
    return {"request_id": 7, "sections": [("body", {"insert": "docs", "$db": "chatkeep", **body})]}


def test_a_write_whose_transaction_sqlite_gave_up_is_answered_with_an_error(tmp_path):
    """A full disk or an I/O error can make SQLite roll back the whole transaction: the
    writes before the failing one are gone, so the reply must not count them as done."""
    from services.operations.embedded_db_server import _in_one_transaction

    def writes_then_loses_them(self, message):
        self.connection.db.execute("INSERT INTO docs VALUES (1)")
        self.connection.db.execute("ROLLBACK")  # what SQLite does on SQLITE_FULL
        return message["request_id"], {"ok": 1, "n": 1}

    handler = _OneDatabase(tmp_path / "a.db")
    request_id, reply = _in_one_transaction(writes_then_loses_them)(handler, _insert())
    assert request_id == 7 and reply["ok"] == 0 and "not stored" in reply["errmsg"]
    assert handler.stored() == []


def test_a_write_command_commits_what_came_before_a_failing_write(tmp_path):
    """As MongoDB keeps an ordered command's writes before its failing one."""
    import sqlite3

    from services.operations.embedded_db_server import _in_one_transaction

    def second_collides(self, message):
        assert self.connection.db.in_transaction
        self.connection.db.execute("INSERT INTO docs VALUES (1)")
        try:
            self.connection.db.execute("INSERT INTO docs VALUES (1)")
        except sqlite3.IntegrityError:  # nx-27017 reports it at its index and stops
            return message["request_id"], {"ok": 1, "n": 1, "writeErrors": [{"index": 1, "code": 11000}]}

    handler = _OneDatabase(tmp_path / "b.db")
    assert _in_one_transaction(second_collides)(handler, _insert())[1]["n"] == 1
    assert handler.stored() == [1] and not handler.connection.db.in_transaction


def test_unordered_writes_reads_and_session_transactions_go_nx_27017s_own_way(tmp_path):
    """A transaction per document for unordered writes (one failing write must not take
    the others with it); nothing for reads; a session's transaction is its own."""
    from services.operations.embedded_db_server import _in_one_transaction

    handler = _OneDatabase(tmp_path / "c.db")
    in_transaction = _in_one_transaction(lambda self, message: (7, {"in": self.connection.db.in_transaction}))
    assert in_transaction(handler, _insert())[1] == {"in": True}
    assert in_transaction(handler, _insert(ordered=False))[1] == {"in": False}
    assert in_transaction(handler, _insert(autocommit=False))[1] == {"in": False}
    assert in_transaction(handler, {"request_id": 7, "sections": [("body", {"find": "docs", "$db": "c"})]})[1] == {"in": False}


def test_a_database_in_a_write_transaction_is_not_closed_to_make_room(tmp_path, monkeypatch):
    """nx-27017 closes the least recently used database past its cap of open ones; one in
    the middle of a command's transaction stays open (and its transaction with it)."""
    from nx_27017 import handler as nx_handler

    from services.operations import embedded_db_server

    monkeypatch.setattr(nx_handler, "_MAX_OPEN_DBS", 2)  # admin, which is never closed, and one more
    monkeypatch.setattr(nx_handler.NeoSQLiteHandler, "_conn_is_busy", embedded_db_server._conn_is_busy_or_writing)
    server = nx_handler.NeoSQLiteHandler(str(tmp_path), data_dir=str(tmp_path))
    writing = server.get_database("writing").db
    writing.execute("BEGIN")
    server.get_database("other")
    assert "writing" in server._conns and writing.in_transaction
    writing.commit()
    server.get_database("third")
    assert "writing" not in server._conns  # idle again: closed like any other
