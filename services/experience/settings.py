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
    rebuild_poll_seconds: float = Field(
        default=5.0,
        gt=0,
        description="How often the worker looks for journeys to rebuild (definitions changed).",
    )
    csat_target: float = Field(
        default=4.0, gt=1, le=5, description="Target mean CSAT (1-5) of the pain points."
    )
    nps_target: float = Field(
        default=30.0, gt=-100, le=100, description="Target NPS (points) of the pain points."
    )
    repurchase_window_days: int = Field(
        default=90,
        ge=1,
        le=730,
        description="Moments of truth: a purchase within this many days after a contact.",
    )
