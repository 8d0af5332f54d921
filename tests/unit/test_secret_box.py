"""services.secret_box: Fernet under a MultiFernet, the development key file, a clear
error for a key that does not open a secret."""
import stat

import pytest
from cryptography.fernet import Fernet

from services import secret_box


@pytest.fixture(autouse=True)
def _restore_box():
    saved = secret_box._keys, secret_box._box
    yield
    secret_box._keys, secret_box._box = saved
    secret_box._decrypt.cache_clear()


def test_round_trip_and_ciphertext_is_marked():
    secret_box.configure(Fernet.generate_key().decode(), "/nonexistent")
    sealed = secret_box.encrypt("app-secret ✅")
    assert sealed.startswith(secret_box.PREFIX) and "app-secret" not in sealed
    assert secret_box.decrypt(sealed) == "app-secret ✅"
    assert secret_box.sealed(sealed) == sealed and secret_box.sealed(None) is None


def test_a_key_that_does_not_open_a_secret_is_a_clear_error():
    secret_box.configure(Fernet.generate_key().decode(), "/nonexistent")
    sealed = secret_box.encrypt("app-secret")
    secret_box.configure(Fernet.generate_key().decode(), "/nonexistent")
    with pytest.raises(secret_box.SecretKeyError, match="SECRET_KEY does not list") as error:
        secret_box.decrypt(sealed)
    assert "app-secret" not in str(error.value)


def test_the_first_key_encrypts_and_every_listed_key_decrypts():
    old, new = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    secret_box.configure(old, "/nonexistent")
    under_old = secret_box.encrypt("s")
    secret_box.configure(f"{new},{old}", "/nonexistent")
    assert secret_box.decrypt(under_old) == "s" and not secret_box.under_first_key(under_old)
    moved = secret_box.rotated(under_old)
    assert secret_box.under_first_key(moved) and secret_box.under_first_key(secret_box.encrypt("t"))
    secret_box.configure(new, "/nonexistent")
    assert secret_box.decrypt(moved) == "s"


def test_unset_secret_key_generates_one_private_key_file_once(tmp_path, caplog):
    data_dir = tmp_path / "data"
    secret_box.configure(None, str(data_dir))
    sealed = secret_box.encrypt("s")
    key_file = data_dir / secret_box.KEY_FILE
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert stat.S_IMODE(data_dir.stat().st_mode) == 0o700
    assert "development" in caplog.text
    first = key_file.read_text()
    secret_box._create_key_file(key_file)  # a second process racing the first keeps the first's key
    secret_box.configure(None, str(data_dir))
    assert key_file.read_text() == first and secret_box.decrypt(sealed) == "s"
    assert [p.name for p in data_dir.iterdir()] == [secret_box.KEY_FILE]  # no temporary left


def test_a_damaged_key_file_is_named_not_printed(tmp_path):
    (tmp_path / secret_box.KEY_FILE).write_text("not-a-key-but-maybe-a-secret\n")
    with pytest.raises(secret_box.SecretKeyError, match="secret.key does not hold a Fernet key") as error:
        secret_box.configure(None, str(tmp_path))
    assert "not-a-key" not in str(error.value)
