"""What ChatKeep writes under DATA_DIR is its owner's only: 0600 files, 0700 directories,
whatever umask the process was started with."""
import os
import stat

import pytest

from app import create_app
from services.gateways import spool
from services.operations import snapshots
from services.private_files import private_dir
from services.tenancy.tenants import create_tenant, tenant_by_slug
from tests.conftest import ADMIN_TOKEN


@pytest.fixture
def loose_umask():
    """The usual 022: without explicit modes, files would come out 0644 and directories 0755."""
    previous = os.umask(0o022)
    yield
    os.umask(previous)


def _mode(path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def _modes_under(root) -> dict:
    return {str(path.relative_to(root)): oct(_mode(path)) for path in root.rglob("*")}


def test_snapshot_spool_last_known_and_key_files_are_private(loose_umask, database_uri, tmp_path):
    data_dir = tmp_path / "data"  # made by ChatKeep, so private too
    app = create_app({"MONGODB_URI": database_uri, "DATA_DIR": str(data_dir), "CHATKEEP_ADMIN_TOKEN": ADMIN_TOKEN,
                      "TESTING": True})
    with app.app_context():
        tenant, _secrets = create_tenant("private", "Private")
        assert tenant_by_slug("private") is not None  # writes the last-known file
        snapshots.take_snapshot(str(data_dir), "manual", keep=2)
        spooled = spool.append(str(data_dir), "evolution", tenant.id, b'{"event": "x"}')
        spooled.write_text("not json")  # a record replay cannot read goes to spool/set-aside/
        spool.replay(str(data_dir), store=lambda record: None)
    modes = _modes_under(data_dir)
    assert {"secret.key", "tenant-cache/private.json", "spool/set-aside"} <= set(modes)
    assert any(name.startswith("snapshots/") and name.endswith("tenants.jsonl.gz") for name in modes)
    assert any(name.startswith("snapshots/") and name.endswith("manifest.json") for name in modes)
    assert any(name.startswith("spool/set-aside/") for name in modes)
    expected = {name: oct(0o700 if (data_dir / name).is_dir() else 0o600) for name in modes}
    assert modes == expected
    assert _mode(data_dir) == 0o700


def test_a_directory_left_open_by_an_older_version_is_closed(loose_umask, tmp_path):
    (tmp_path / "spool").mkdir(mode=0o755)
    private_dir(tmp_path / "spool")
    assert _mode(tmp_path / "spool") == 0o700
    (tmp_path / "operators").mkdir(mode=0o755)
    private_dir(tmp_path / "operators" / "a" / "b")
    assert _mode(tmp_path / "operators") == 0o755  # an existing parent (DATA_DIR) is left as it is
    assert [_mode(tmp_path / p) for p in ("operators/a", "operators/a/b")] == [0o700, 0o700]


def test_what_an_older_version_left_open_is_closed_at_start_up(loose_umask, tmp_path):
    from services.private_files import close_existing

    generation = tmp_path / "snapshots" / "20261122T101530.123Z"
    generation.mkdir(parents=True)
    (generation / "tenants.jsonl.gz").write_bytes(b"")
    (tmp_path / "spool").mkdir()
    (tmp_path / "db.json").write_text("{}")
    (tmp_path / "operators-notes.txt").write_text("not ours")
    assert close_existing(tmp_path) == 5
    assert _modes_under(tmp_path) == {
        "snapshots": "0o700", "snapshots/20261122T101530.123Z": "0o700",
        "snapshots/20261122T101530.123Z/tenants.jsonl.gz": "0o600", "spool": "0o700", "db.json": "0o600",
        "operators-notes.txt": "0o644"}
    assert close_existing(tmp_path) == 0
