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
    """EMBEDDED_DB_SYNC=full (the default): each SQLite connection nx-27017 opens is set
    to synchronous=FULL (2), so a commit reaches the disk before it is acknowledged;
    nx-27017 alone leaves WAL at NORMAL (1)."""
    from neosqlite import Connection

    from services.operations import embedded_db_server

    plain = Connection(str(tmp_path / "plain.db"))
    assert plain.db.execute("PRAGMA synchronous").fetchone()[0] == 1
    synced = Connection(str(tmp_path / "synced.db"))
    embedded_db_server._configure_connection_fully_synced(synced)
    assert synced.db.execute("PRAGMA synchronous").fetchone()[0] == 2
