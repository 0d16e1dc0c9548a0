"""Profiles' GDPR settings: the installation's salt for the suppression list's hashes."""

from typing import Self

from pydantic import Field, SecretStr, model_validator

from shared.settings import ServiceSettings

MIN_GDPR_SALT_LENGTH = 16
# Only for development: every development installation shares it, so its hashes protect
# nothing.
DEVELOPMENT_GDPR_SALT = "kundencockpit-development-only-salt"


class GdprSettings(ServiceSettings):
    """The GDPR part of ProfilesSettings (env PROFILES_GDPR_SALT)."""

    gdpr_salt: SecretStr | None = Field(
        default=None,
        description="Secret salt of this installation for the hashes on the GDPR suppression "
        f"list (at least {MIN_GDPR_SALT_LENGTH} characters). Keep it stable: with a new salt, "
        "earlier erasures no longer suppress anything. Required outside development.",
    )

    @model_validator(mode="after")
    def _require_gdpr_salt(self) -> Self:
        salt = self.gdpr_salt.get_secret_value() if self.gdpr_salt is not None else None
        if salt is not None and len(salt) < MIN_GDPR_SALT_LENGTH:
            raise ValueError(f"gdpr_salt needs at least {MIN_GDPR_SALT_LENGTH} characters")
        if not self.is_development and salt in (None, DEVELOPMENT_GDPR_SALT):
            raise ValueError(
                "gdpr_salt (PROFILES_GDPR_SALT) must be set to a secret of this installation "
                f"for environment {self.environment.value}"
            )
        return self

    @property
    def suppression_salt(self) -> bytes:
        """The configured salt; the development salt when none is set in development."""
        if self.gdpr_salt is None:
            return DEVELOPMENT_GDPR_SALT.encode()
        return self.gdpr_salt.get_secret_value().encode()
