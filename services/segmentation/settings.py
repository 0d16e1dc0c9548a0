"""Settings of the segmentation service (env prefix SEGMENTATION_)."""

from pydantic import Field
from pydantic_settings import SettingsConfigDict

from shared.settings import ServiceSettings, sqlite_default


class SegmentationSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="SEGMENTATION_", extra="ignore")

    service_name: str = "segmentation"
    database_url: str = Field(default=sqlite_default("segmentation"))
    port: int = 8002
    run_interval_seconds: float = Field(
        default=86_400.0,
        ge=0,
        description="A live run is queued this long after the last one; 0 = only on request.",
    )
