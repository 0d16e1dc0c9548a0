"""Settings of the experience service (env prefix EXPERIENCE_)."""

from pydantic import Field
from pydantic_settings import SettingsConfigDict

from shared.settings import ServiceSettings, sqlite_default


class ExperienceSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="EXPERIENCE_", extra="ignore")

    service_name: str = "experience"
    database_url: str = Field(default=sqlite_default("experience"))
    port: int = 8003
    abandonment_sweep_seconds: float = Field(
        default=300.0,
        gt=0,
        description="How often open journeys past their gap are marked abandoned.",
    )
