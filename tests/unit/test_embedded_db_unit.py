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
