"""Settings of the steering service (env prefix STEERING_)."""

from pydantic import Field
from pydantic_settings import SettingsConfigDict

from shared.settings import ServiceSettings, sqlite_default


class SteeringSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="STEERING_", extra="ignore")

    service_name: str = "steering"
    database_url: str = Field(default=sqlite_default("steering"))
    port: int = 8004
