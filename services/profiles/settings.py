"""Settings of the profiles service (env prefix PROFILES_)."""

from typing import Literal

from pydantic import Field
from pydantic_settings import SettingsConfigDict

from services.profiles.gdpr_settings import GdprSettings
from services.profiles.identity_rules import IdentityRules
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

    def identity_rules(self) -> IdentityRules:
        return IdentityRules(
            match_on_email=self.match_on_email,
            match_on_phone=self.match_on_phone,
            default_phone_region=self.default_phone_region,
        )
