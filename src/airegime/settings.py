"""Settings, read from the environment with the AIREGIME_ prefix (e.g. AIREGIME_LANG=en)."""

from __future__ import annotations

from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from airegime.kb.models import Lang


def default_data_dir() -> Path:
    return Path.home() / ".local" / "share" / "airegime"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="AIREGIME_", extra="ignore")

    lang: Lang = Field(default="fr", description="language of texts: fr (default) or en")
    data_dir: Path = Field(default_factory=default_data_dir, description="where the SQLite database lives")
    database_url: str = Field(default="", description="any SQLAlchemy URL; SQLite in data_dir when empty")
    knowledge_dir: Path | None = Field(default=None, description="another knowledge base (for rule authors)")
    trusted_proxies: str = Field(
        default="",
        description="reverse proxies whose X-Forwarded-For/-Proto are believed: addresses or networks, "
        "comma-separated, or * (every peer); empty (the default): none, the peer's address is the client's",
    )

    @property
    def effective_database_url(self) -> str:
        return self.database_url or f"sqlite:///{self.data_dir / 'airegime.sqlite3'}"


def get_settings() -> Settings:
    return Settings()
