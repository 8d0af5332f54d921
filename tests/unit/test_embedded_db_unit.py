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
    """What _bulk_write_in_one_transaction asks of nx-27017's handler: a database's connection."""

    def __init__(self, path):
        from neosqlite import Connection
        self.connection = Connection(str(path))
        self.connection.db.execute("CREATE TABLE docs (n INTEGER)")

    def get_database(self, _name):
        return self.connection

    def stored(self):
        return [n for (n,) in self.connection.db.execute("SELECT n FROM docs ORDER BY n")]


BULK = {"ordered": True, "nsInfo": [{"ns": "chatkeep.docs"}], "ops": []}


def test_a_bulk_write_whose_transaction_sqlite_gave_up_is_answered_with_an_error(tmp_path, monkeypatch):
    """A full disk or an I/O error can make SQLite roll back the whole transaction: the
    writes before the failing one are gone, so the reply must not count them as done."""
    from services.operations import embedded_db_server

    handler = _OneDatabase(tmp_path / "a.db")

    def writes_then_loses_them(self, request_id, cmd, command_doc):
        self.connection.db.execute("INSERT INTO docs VALUES (1)")
        self.connection.db.execute("ROLLBACK")  # what SQLite does on SQLITE_FULL
        return request_id, {"ok": 1, "nErrors": 1, "nInserted": 1}
    monkeypatch.setattr(embedded_db_server, "_handle_bulk_write", writes_then_loses_them)

    request_id, reply = embedded_db_server._bulk_write_in_one_transaction(handler, 7, BULK, {})
    assert request_id == 7 and reply["ok"] == 0 and "not stored" in reply["errmsg"]
    assert handler.stored() == []


def test_a_bulk_write_commits_what_came_before_a_failing_write(tmp_path, monkeypatch):
    """As MongoDB keeps an ordered bulkWrite's writes before its failing one."""
    import sqlite3

    from services.operations import embedded_db_server

    handler = _OneDatabase(tmp_path / "b.db")
    handler.connection.db.execute("CREATE UNIQUE INDEX one_n ON docs (n)")

    def second_collides(self, request_id, cmd, command_doc):
        assert self.connection.db.in_transaction
        self.connection.db.execute("INSERT INTO docs VALUES (1)")
        try:
            self.connection.db.execute("INSERT INTO docs VALUES (1)")
        except sqlite3.IntegrityError:  # nx-27017 reports it at its index and stops
            return request_id, {"ok": 1, "nErrors": 1, "nInserted": 1}
    monkeypatch.setattr(embedded_db_server, "_handle_bulk_write", second_collides)

    assert embedded_db_server._bulk_write_in_one_transaction(handler, 1, BULK, {})[1]["nInserted"] == 1
    assert handler.stored() == [1] and not handler.connection.db.in_transaction
    # Unordered: nx-27017's own way, a transaction per write (one failing write must not
    # take the others' with it).
    monkeypatch.setattr(embedded_db_server, "_handle_bulk_write",
                        lambda self, request_id, cmd, doc: (request_id, {"in": self.connection.db.in_transaction}))
    assert embedded_db_server._bulk_write_in_one_transaction(handler, 1, {**BULK, "ordered": False}, {})[1] == {"in": False}
