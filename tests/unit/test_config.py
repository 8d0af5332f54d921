"""Configuration: defaults, validation with one clear line, and the README table."""
import re
from pathlib import Path

import pytest

from config import VARIABLES, ConfigError, load_settings, load_settings_or_exit


def test_defaults():
    settings = load_settings({})
    assert settings["PORT"] == 8000 and settings["HOST"] == "127.0.0.1"
    assert settings["WEB_CONCURRENCY"] == 2 and settings["MONGODB_URI"] is None
    assert settings["MAX_BODY_BYTES"] == 1048576 and settings["CHATKEEP_ADMIN_TOKEN"] is None
    assert Path(settings["DATA_DIR"]).is_absolute()


@pytest.mark.parametrize("name,value", [
    ("PORT", "eighty"), ("PORT", "70000"), ("WEB_CONCURRENCY", "0"), ("LOG_LEVEL", "LOUD"),
    ("MONGODB_URI", "postgres://x"), ("MAX_BODY_BYTES", "-1"), ("CHATKEEP_ADMIN_TOKEN", "short"),
])
def test_invalid_values_name_the_variable(name, value):
    with pytest.raises(ConfigError, match=rf"^{name}="):
        load_settings({name: value})
    with pytest.raises(SystemExit) as exit_info:
        load_settings_or_exit({name: value})
    message = str(exit_info.value.code)
    assert name in message and "\n" not in message


def test_readme_table_lists_every_variable():
    readme = Path(__file__).resolve().parents[2].joinpath("README.md").read_text()
    documented = set(re.findall(r"^\| `([A-Z_]+)` \|", readme, re.M))
    assert {var.name for var in VARIABLES} <= documented
