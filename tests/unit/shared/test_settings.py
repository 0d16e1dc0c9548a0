"""Service settings: placeholder secrets, env prefixes and the shared Kafka fallback."""

import pytest
from pydantic import ValidationError

from services.profiles.settings import ProfilesSettings
from shared.settings import Environment

PLACEHOLDER_URL = "postgresql://cockpit:changeme@db.internal:5432/profiles"
REAL_URL = "postgresql://cockpit:Xq7-real-secret-9f@db.internal:5432/profiles"
REAL_SALT = "c2b1e0f6-real-installation-salt"


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in (
        "COCKPIT_ENV",
        "KAFKA_BOOTSTRAP_SERVERS",
        "PROFILES_DATABASE_URL",
        "PROFILES_ENVIRONMENT",
        "PROFILES_GDPR_SALT",
        "PROFILES_KAFKA_BOOTSTRAP_SERVERS",
        "PROFILES_PORT",
    ):
        monkeypatch.delenv(name, raising=False)


@pytest.mark.parametrize("environment", ["production", "test"])
@pytest.mark.parametrize("password", ["changeme", "postgres", "Password", "dev"])
def test_placeholder_database_password_is_refused_outside_development(
    environment: str, password: str
) -> None:
    url = f"postgresql://cockpit:{password}@db.internal:5432/profiles"
    with pytest.raises(ValidationError, match="placeholder password"):
        ProfilesSettings(database_url=url, environment=environment)


def test_placeholder_database_password_is_refused_when_cockpit_env_says_production(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("COCKPIT_ENV", "production")
    with pytest.raises(ValidationError, match="placeholder password"):
        ProfilesSettings(database_url=PLACEHOLDER_URL)


def test_placeholder_database_password_is_allowed_in_development() -> None:
    settings = ProfilesSettings(database_url=PLACEHOLDER_URL, environment="development")

    assert settings.is_development
    assert settings.database_url == PLACEHOLDER_URL


def test_real_database_password_is_accepted_in_production() -> None:
    settings = ProfilesSettings(
        database_url=REAL_URL, environment="production", gdpr_salt=REAL_SALT
    )

    assert settings.environment is Environment.PRODUCTION


def test_sqlite_url_without_password_is_accepted_in_production() -> None:
    settings = ProfilesSettings(
        database_url="sqlite:///var/profiles.db", environment="production", gdpr_salt=REAL_SALT
    )

    assert settings.database_url == "sqlite:///var/profiles.db"


def test_database_url_is_read_from_the_service_prefixed_variable(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("PROFILES_DATABASE_URL", REAL_URL)
    monkeypatch.setenv("DATABASE_URL", "sqlite:///unprefixed-is-ignored.db")

    assert ProfilesSettings().database_url == REAL_URL


def test_environment_is_read_from_the_service_prefixed_variable(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("PROFILES_ENVIRONMENT", "production")
    monkeypatch.setenv("PROFILES_DATABASE_URL", PLACEHOLDER_URL)

    with pytest.raises(ValidationError, match="placeholder password"):
        ProfilesSettings()


def test_kafka_bootstrap_servers_fall_back_to_the_shared_variable(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("KAFKA_BOOTSTRAP_SERVERS", "kafka-1:9092,kafka-2:9092")

    assert ProfilesSettings().kafka_bootstrap_servers == "kafka-1:9092,kafka-2:9092"


def test_prefixed_kafka_bootstrap_servers_override_the_shared_variable(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("KAFKA_BOOTSTRAP_SERVERS", "kafka-shared:9092")
    monkeypatch.setenv("PROFILES_KAFKA_BOOTSTRAP_SERVERS", "kafka-profiles:9092")

    assert ProfilesSettings().kafka_bootstrap_servers == "kafka-profiles:9092"


def test_kafka_bootstrap_servers_default_to_localhost() -> None:
    assert ProfilesSettings().kafka_bootstrap_servers == "localhost:9092"


def test_worker_metrics_port_defaults_to_api_port_plus_100() -> None:
    assert ProfilesSettings(port=8001).metrics_port == 8101
    assert ProfilesSettings(port=8001, worker_metrics_port=9999).metrics_port == 9999
