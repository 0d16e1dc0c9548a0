"""Settings of the profiles service (env prefix PROFILES_)."""

from typing import Literal

from pydantic import Field
from pydantic_settings import SettingsConfigDict

from services.profiles.gdpr_settings import GdprSettings
from services.profiles.identity_rules import IdentityRules
from services.profiles.segment_figure_rules import DriftFigure
from shared.settings import ServiceSettings, sqlite_default


class ProfilesSettings(GdprSettings, ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="PROFILES_", extra="ignore")

    service_name: str = "profiles"
    database_url: str = Field(default=sqlite_default("profiles"))
    port: int = 8001
    match_on_email: bool = Field(
        default=True,
        description="A new record whose normalised e-mail a customer of another system has "
        "joins that customer.",
    )
    match_on_phone: bool = Field(
        default=True,
        description="A new record whose normalised (E.164) phone number a customer of another "
        "system has joins that customer.",
    )
    default_phone_region: Literal["DE", "AT", "CH"] = Field(
        default="DE",
        description="Country whose code a national phone number (leading 0) is read in.",
    )

    profile_approvers: list[str] = Field(
        default=["sales", "marketing", "service", "finance"],
        min_length=1,
        description="Departments that must each approve a segment profile version (with a key "
        "holding approve:<department>) before it becomes active.",
    )

    next_best_actions_kept: int = Field(
        default=5,
        ge=1,
        le=50,
        description="Next best actions kept and shown per customer: the most recently "
        "recommended ones.",
    )
    profile_drift_threshold: float = Field(
        default=0.2,
        gt=0,
        description="Relative change of a segment's figure since its profile was approved "
        "beyond which the profile is flagged for review (0.2 = 20 %).",
    )
    profile_drift_figures: list[DriftFigure] = Field(
        default=["size", "contribution_margin_3_12m"],
        min_length=1,
        description="The segment figures whose drift since approval flags a profile.",
    )

    def identity_rules(self) -> IdentityRules:
        return IdentityRules(
            match_on_email=self.match_on_email,
            match_on_phone=self.match_on_phone,
            default_phone_region=self.default_phone_region,
        )


def profiles_settings(settings: ServiceSettings) -> ProfilesSettings:
    """Profiles' settings; their defaults for a runtime built with the shared ones only."""
    if isinstance(settings, ProfilesSettings):
        return settings
    return ProfilesSettings.model_construct()
