"""Hosts on one database that disagree on SECRET_KEY: the second refuses to start,
naming SECRET_KEY, rather than start and fail at every secret the other wrote."""
import pytest
from cryptography.fernet import Fernet

from tests.conftest import ADMIN_TOKEN
from tests.integration.processes import Service, start_nx, stop, wait_until

pytestmark = pytest.mark.slow


def _env(uri: str, secret_key: str | None) -> dict:
    env = {"MONGODB_URI": uri, "CHATKEEP_ADMIN_TOKEN": ADMIN_TOKEN, "SNAPSHOT_INTERVAL_S": "0",
           "SNAPSHOT_ON_SHUTDOWN": "false"}
    return {**env, "SECRET_KEY": secret_key} if secret_key is not None else env


def test_a_host_with_another_secret_key_refuses_to_start(tmp_path):
    nx, uri = start_nx(tmp_path / "nx")
    try:
        with Service(tmp_path / "a", _env(uri, Fernet.generate_key().decode()), workers=1):
            for name, secret_key in (("b", Fernet.generate_key().decode()), ("c", "")):  # c: its own development key
                other = Service(tmp_path / name, _env(uri, secret_key), workers=1).start(wait=False)
                assert wait_until(lambda: other.proc.poll() is not None, 60) and other.proc.returncode == 1
                log = other.log()
                assert "SECRET_KEY does not open what this deployment encrypted" in log and "Refusing" in log, log
                assert "Traceback" not in log
            assert "SECRET_KEY is unset while MONGODB_URI is set" in other.log()
    finally:
        stop(nx)
