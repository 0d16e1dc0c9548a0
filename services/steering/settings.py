"""Settings of the steering service (env prefix STEERING_)."""

from pydantic import Field
from pydantic_settings import SettingsConfigDict

from shared.settings import ServiceSettings, sqlite_default


class SteeringSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="STEERING_", extra="ignore")

    service_name: str = "steering"
    database_url: str = Field(default=sqlite_default("steering"))
    port: int = 8004
    strategy_id: str = Field(
        default="sales-strategy",
        min_length=1,
        max_length=100,
        description="Id of the sales strategy document; segmentation names it in its portfolio.",
    )
    strategy_approvers: list[str] = Field(
        default=["sales", "marketing", "service", "finance"],
        min_length=1,
        description="Departments that must each approve a strategy version (with a key holding "
        "approve:<department>) before it becomes active and is published.",
    )
    plan_approvers: list[str] = Field(
        default=["sales", "finance"],
        min_length=1,
        description="Departments that must each approve an incentive plan version before it "
        "becomes active.",
    )
    alert_check_seconds: float = Field(
        default=30.0,
        ge=0,
        description="The running month's rates and scores are checked for red KPIs at most "
        "this often (after a consumer batch); 0 = after every batch.",
    )
