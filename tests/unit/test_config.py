"""Configuration: defaults, validation with one clear line, and the README table."""
import re
from pathlib import Path

import pytest

from config import VARIABLES, ConfigError, Variable, load_settings, load_settings_or_exit


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
    with pytest.raises(ConfigError, match=rf"^{name}[= ]"):
        load_settings({name: value})
    with pytest.raises(SystemExit) as exit_info:
        load_settings_or_exit({name: value})
    message = str(exit_info.value.code)
    assert name in message and "\n" not in message


def test_readme_table_lists_every_variable():
    readme = Path(__file__).resolve().parents[2].joinpath("README.md").read_text()
    documented = set(re.findall(r"^\| `([A-Z_]+)` \|", readme, re.M))
    assert {var.name for var in VARIABLES} <= documented


# Names that say "secret": a variable added with such a name must be declared secret=True.
SECRET_NAME = re.compile(r"(TOKEN|SECRET|KEY|PASSWORD|URI)$")
SECRET_VARIABLES = [var.name for var in VARIABLES if var.secret]
# An invalid value for each secret variable, each holding the same secret-looking text.
LEAK = "hunter2-Sup3rSecret"
BAD_VALUES = {"MONGODB_URI": f"postgres://admin:{LEAK}@db.internal/chatkeep",
              "CHATKEEP_ADMIN_TOKEN": LEAK[:15], "SECRET_KEY": f"{LEAK}=,{LEAK}",
              "KAFKA_CONFIG_JSON": f'{{"sasl.password": "{LEAK}",}}'}


def test_every_secret_setting_is_declared_secret():
    assert {"MONGODB_URI", "CHATKEEP_ADMIN_TOKEN", "SECRET_KEY"} <= set(SECRET_VARIABLES)
    assert "KAFKA_CONFIG_JSON" in SECRET_VARIABLES  # SASL passwords: its name does not say so
    assert [var.name for var in VARIABLES if SECRET_NAME.search(var.name) and not var.secret] == []


@pytest.mark.parametrize("name", SECRET_VARIABLES)
def test_errors_name_a_secret_setting_and_its_rule_never_its_value(name):
    value = BAD_VALUES.get(name, LEAK[:6])  # a secret added later: too short for any token rule
    with pytest.raises(SystemExit) as exit_info:
        load_settings_or_exit({name: value})
    message = str(exit_info.value.code)
    assert name in message and "must" in message  # the setting and its rule
    assert value not in message and LEAK[:6] not in message
    assert repr(value) not in message


def test_a_secret_echoed_by_its_rule_is_hidden_too():
    def echoing(raw):
        raise ValueError(f"{raw} must be longer")

    import config

    variables = config.VARIABLES + (Variable("SOME_TOKEN", None, echoing, "", secret=True),)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(config, "VARIABLES", variables)
        with pytest.raises(ConfigError) as error:
            load_settings({"SOME_TOKEN": LEAK})
    assert LEAK not in str(error.value) and "must be longer" in str(error.value)


def test_secret_key_unset_means_the_development_key():
    assert load_settings({"SECRET_KEY": ""})["SECRET_KEY"] is None


def test_secret_key_lists_fernet_keys():
    from cryptography.fernet import Fernet

    first, second = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    assert load_settings({"SECRET_KEY": f" {first} , {second}"})["SECRET_KEY"] == f"{first},{second}"
    for bad in (first[:-2], f"{first},", "!" + first[1:], "ü" * 44, "   "):
        with pytest.raises(ConfigError, match="^SECRET_KEY is invalid .*Fernet keys"):
            load_settings({"SECRET_KEY": bad})
