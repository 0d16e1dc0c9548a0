"""Settings shared by every service; each service subclasses with its own env prefix."""

import os
from enum import StrEnum
from pathlib import Path
from typing import Self
from urllib.parse import urlsplit

from pydantic import Field, SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

PLACEHOLDER_SECRETS = frozenset(
    {"", "changeme", "change-me", "change_me", "secret", "password", "postgres", "admin", "dev"}
)


class Environment(StrEnum):
    DEVELOPMENT = "development"
    TEST = "test"
    PRODUCTION = "production"


def _env(name: str, default: str) -> str:
    return os.environ.get(name, default)


class ServiceSettings(BaseSettings):
    """Fields every service has; a subclass sets `env_prefix` and the defaults of its own."""

    model_config = SettingsConfigDict(extra="ignore", validate_default=True)

    service_name: str = Field(description="Name of the service, used in metrics and logs.")
    environment: Environment = Field(
        default_factory=lambda: Environment(_env("COCKPIT_ENV", "development")),
        description="development, test or production; placeholder secrets are refused "
        "outside development.",
    )
    database_url: str = Field(description="SQLAlchemy URL of the service's own database.")
    kafka_bootstrap_servers: str = Field(
        default_factory=lambda: _env("KAFKA_BOOTSTRAP_SERVERS", "localhost:9092"),
        description="Comma-separated Kafka bootstrap servers.",
    )
    topic_partitions: int = Field(
        default_factory=lambda: int(_env("COCKPIT_TOPIC_PARTITIONS", "6")),
        ge=1,
        description="Partitions for topics this service creates.",
    )
    topic_replication_factor: int = Field(
        default_factory=lambda: int(_env("COCKPIT_TOPIC_REPLICATION", "1")), ge=1
    )
    api_keys_file: Path = Field(
        default_factory=lambda: Path(_env("COCKPIT_API_KEYS_FILE", "var/api-keys.json")),
        description="JSON file with the hashed API keys.",
    )
    host: str = Field(default="127.0.0.1", description="Address the API binds to.")
    port: int = Field(description="Port of the API.")
    worker_metrics_port: int = Field(
        default=0, description="Port of the worker's /metrics (0: port + 100)."
    )
    max_body_bytes: int = Field(default=5 * 1024 * 1024, ge=1024)
    max_batch_events: int = Field(default=1000, ge=1)
    max_event_bytes: int = Field(
        default=512 * 1024,
        ge=1024,
        description="Largest single event accepted; a published message must fit the broker.",
    )
    relay_batch_size: int = Field(default=500, ge=1)
    relay_idle_seconds: float = Field(default=0.2, gt=0)
    relay_max_backoff_seconds: float = Field(default=10.0, gt=0)
    outbox_retention_hours: float = Field(default=24.0, ge=0)
    consumer_max_poll_records: int = Field(default=500, ge=1)
    consumer_max_poll_interval_ms: int = Field(default=30_000, ge=1000)
    consumer_session_timeout_ms: int = Field(default=10_000, ge=1000)
    consumer_max_attempts: int = Field(default=3, ge=1)
    statistics_interval_seconds: float = Field(
        default=5.0,
        ge=0,
        description="Seconds between the worker's checks for tables (PostgreSQL) that grew or "
        "shrank enough since their last ANALYZE; 0 leaves planner statistics to autovacuum.",
    )
    gc_young_threshold: int = Field(
        default=50_000,
        ge=0,
        description="Allocations between young garbage collections in serve and worker "
        "processes (CPython's default is 700); 0 leaves the collector untouched.",
    )
    log_level: str = Field(default_factory=lambda: _env("COCKPIT_LOG_LEVEL", "INFO"))

    @property
    def metrics_port(self) -> int:
        return self.worker_metrics_port or self.port + 100

    @property
    def is_development(self) -> bool:
        return self.environment is Environment.DEVELOPMENT

    @model_validator(mode="after")
    def _refuse_placeholder_secrets(self) -> Self:
        if self.is_development:
            return self
        password = urlsplit(self.database_url).password
        if password is not None and password.lower() in PLACEHOLDER_SECRETS:
            raise ValueError(
                f"database_url of {self.service_name} uses a placeholder password; "
                f"set a real one for environment {self.environment.value}"
            )
        for name, value in self:
            if isinstance(value, SecretStr) and value.get_secret_value().lower() in (
                PLACEHOLDER_SECRETS
            ):
                raise ValueError(f"{name} is a placeholder secret")
        return self


def sqlite_default(service: str) -> str:
    return f"sqlite:///var/{service}.db"
