"""Settings come from the environment and a wrong value stops start-up, naming the variable."""

from __future__ import annotations

import pytest

from config import settings
from service import create_app


def test_defaults_need_no_external_service() -> None:
    values = settings.load({})
    assert values["DATABASE_URL"].startswith("sqlite:///")
    assert values["DATABASE_URL"].endswith("instance/vanban.sqlite3")
    assert values["REDIS_URL"] is None
    assert values["MAX_CONTENT_LENGTH"] == 4 * 1024 * 1024
    assert values["AUTH_REQUIRED"] is False


@pytest.mark.parametrize(
    ("env", "value"),
    [
        ({"MAX_CONTENT_LENGTH": "2MB"}, 2 * 1024 * 1024),
        ({"MAX_CONTENT_LENGTH": "512KB"}, 512 * 1024),
        ({"AUTH_REQUIRED": "yes"}, True),
        ({"DATABASE_URL": "postgresql://u@h:5432/db"}, "postgresql://u@h:5432/db"),
        ({"BATCH_MAX_ROWS": "100"}, 100),
    ],
)
def test_values_are_parsed(env: dict[str, str], value: object) -> None:
    (name,) = env
    assert settings.load(env)[name] == value


@pytest.mark.parametrize(
    "env",
    [
        {"MAX_CONTENT_LENGTH": "lots"},
        {"MAX_CONTENT_LENGTH": "-5"},
        {"AUTH_REQUIRED": "maybe"},
        {"DATABASE_URL": "vanban.sqlite3"},
        {"REDIS_URL": "localhost"},
        {"LOG_LEVEL": "LOUD"},
        {"BATCH_MAX_ROWS": "0"},
    ],
)
def test_wrong_values_stop_start_up_naming_the_variable(env: dict[str, str]) -> None:
    (name,) = env
    with pytest.raises(settings.SettingsError, match=name):
        settings.load(env)


def test_create_app_refuses_a_wrong_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AUTH_REQUIRED", "sometimes")
    with pytest.raises(settings.SettingsError, match="AUTH_REQUIRED"):
        create_app()
