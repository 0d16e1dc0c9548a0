"""Settings of the profiles service (env prefix PROFILES_)."""

from pydantic import Field
from pydantic_settings import SettingsConfigDict

from shared.settings import ServiceSettings, sqlite_default


class ProfilesSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="PROFILES_", extra="ignore")

    service_name: str = "profiles"
    database_url: str = Field(default=sqlite_default("profiles"))
    port: int = 8001
