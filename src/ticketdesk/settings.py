"""One typed settings object, read from the environment once per application."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Literal

from pydantic import Field, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

DEVELOPMENT_SECRET = "dev-only-insecure-secret"  # noqa: S105 - refused outside development


def default_instance_path() -> Path:
    return Path(os.environ.get("TICKETDESK_INSTANCE", "instance")).resolve()


class Settings(BaseSettings):
    """Configuration of one ticketdesk process; see `.env.example`."""

    model_config = SettingsConfigDict(env_file=".env", extra="ignore")

    env: Literal["development", "production", "test"] = Field(
        default="development", validation_alias="TICKETDESK_ENV"
    )
    instance_path: Path = Field(
        default_factory=default_instance_path, validation_alias="TICKETDESK_INSTANCE"
    )
    database_url: str = ""
    # The analytics service only reads, so it may point at a replica.
    analytics_database_url: str = ""
    secret_key: str = DEVELOPMENT_SECRET
    max_body_bytes: int = Field(default=1024 * 1024, gt=0)
    # SQLite waits this long for the write lock before answering "busy".
    sqlite_busy_timeout_ms: int = Field(default=15_000, ge=0)
    # How long a PostgreSQL connection attempt may take before the API answers 503.
    db_connect_timeout_s: int = Field(default=5, gt=0)
    db_pool_size: int = Field(default=5, gt=0)
    # FULL: a commit is on disk before the client hears 2xx, surviving power loss too.
    # NORMAL (WAL) survives a process crash but may drop the last commits on power loss.
    sqlite_synchronous: Literal["FULL", "NORMAL"] = "FULL"
    # How many reverse proxies in front set X-Forwarded-For/-Proto: the client address (for
    # sign-in throttling) and https (for Secure cookies) are taken from them. 0: none trusted.
    trusted_proxies: int = Field(default=0, ge=0, le=5)

    @model_validator(mode="after")
    def _fill_defaults(self) -> Settings:
        if not self.database_url:
            self.database_url = f"sqlite:///{self.instance_path / 'ticketdesk.sqlite3'}"
        if not self.analytics_database_url:
            self.analytics_database_url = self.database_url
        if self.env == "production" and self.secret_key == DEVELOPMENT_SECRET:
            raise ValueError("SECRET_KEY must be set to a private value in production")
        return self
