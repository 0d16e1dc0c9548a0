"""Settings of the segmentation service (env prefix SEGMENTATION_)."""

from pydantic import Field
from pydantic_settings import SettingsConfigDict

from shared.settings import ServiceSettings, sqlite_default


class SegmentationSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="SEGMENTATION_", extra="ignore")

    service_name: str = "segmentation"
    database_url: str = Field(default=sqlite_default("segmentation"))
    port: int = 8002
