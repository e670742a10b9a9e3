"""Service settings: one class, read from the environment (and an optional .env file)."""
from __future__ import annotations

import secrets
from functools import lru_cache
from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

DEFAULT_AGENCY_CONFIG = Path(__file__).parent / "defaults" / "agency.toml"


class Settings(BaseSettings):
    """Everything the service reads from its environment."""

    model_config = SettingsConfigDict(env_file=".env", env_file_encoding="utf-8", extra="ignore")

    fangsiang_data_dir: Path = Path("./data")
    database_url: str | None = None
    redis_url: str | None = None
    fangsiang_agency_config: Path = DEFAULT_AGENCY_CONFIG
    fangsiang_model_dir: Path | None = None
    fangsiang_secret_key: str | None = Field(default=None, description="Signs sessions and API tokens.")
    fangsiang_base_url: str = "http://127.0.0.1:8000"
    fangsiang_public_url: str = Field(
        default="", description="The address citizens reach the service at (https://…): chat answers then carry the "
                                "link to the case's public status page and the survey shows the after-photo; empty: "
                                "no such links.")
    fangsiang_log_level: str = "INFO"
    fangsiang_max_body_bytes: int = 1_000_000
    fangsiang_in_process_worker: bool = True
    fangsiang_worker_name: str | None = None
    fangsiang_outbox_max_attempts: int = 12
    fangsiang_outbox_backoff_seconds: float = 2.0
    fangsiang_outbox_backoff_cap_seconds: float = 600.0
    fangsiang_stream_claim_idle_ms: int = 60_000
    fangsiang_cookie_secure: bool = False
    fangsiang_token_minutes: int = 480
    fangsiang_metrics_token: str = Field(default="", description="Bearer token Prometheus sends to read /metrics.")
    fangsiang_retention_days: int = Field(
        default=365, description="Days after a case is closed before its raw texts are replaced by the masked form "
                                 "(the worker does it hourly); 0 keeps them.")
    fangsiang_trusted_proxies: str = Field(
        default="", description="Comma-separated addresses or networks of the reverse proxies whose X-Forwarded-For "
                                "and X-Forwarded-Proto are believed; empty (default): no forwarded header is.")

    fangsiang_postback_secret: str | None = Field(
        default=None, description="Signs the buttons sent to citizens (derived from the secret key when unset).")
    fangsiang_media_max_bytes: int = 10_000_000
    fangsiang_embedding_cache: Path | None = None
    fangsiang_threads: int = Field(
        default=1, ge=1, le=64, description="CPU threads each process lets the classifier's native libraries use "
                                            "(OpenMP/BLAS in the e5 engine, scikit-learn, numpy).")

    # The web report form (places room): map tiles for the pin (empty: the form works without a map), reports one
    # address may file per hour, and the LIFF app that opens the form inside LINE (its ID tokens are verified).
    fangsiang_map_tiles_url: str = Field(default="", description="Tile URL template, e.g. https://tile.example/{z}/{x}/{y}.png")
    fangsiang_map_attribution: str = ""
    fangsiang_report_per_hour: int = Field(default=10, ge=1)
    line_liff_id: str = ""

    line_channel_secret: str = ""
    line_channel_access_token: str = ""
    line_api_base_url: str = "https://api.line.me"
    line_api_data_url: str = ""  # content (photos, videos, files) and rich-menu images; default api-data.line.me

    @property
    def line_data_url(self) -> str:
        """LINE's api-data host: LINE_API_DATA_URL, else api-data.line.me (or the API base when that is a stand-in)."""
        if self.line_api_data_url:
            return self.line_api_data_url.rstrip("/")
        if self.line_api_base_url.rstrip("/") != "https://api.line.me":
            return self.line_api_base_url.rstrip("/")
        return "https://api-data.line.me"

    facebook_app_secret: str = ""
    facebook_verify_token: str = ""
    facebook_page_access_token: str = ""
    facebook_graph_url: str = "https://graph.facebook.com/"

    @property
    def data_dir(self) -> Path:
        """The data directory, created on first use."""
        self.fangsiang_data_dir.mkdir(parents=True, exist_ok=True)
        return self.fangsiang_data_dir

    @property
    def model_dir(self) -> Path:
        """Where the classifier's trained models live (FANGSIANG_MODEL_DIR, or models/ in the data directory)."""
        return self.fangsiang_model_dir or self.data_dir / "models"

    @property
    def sqlalchemy_url(self) -> str:
        """DATABASE_URL, or SQLite under the data directory; postgres URLs use psycopg 3."""
        url = self.database_url or f"sqlite:///{(self.data_dir / 'fangsiang.db').resolve()}"
        for prefix in ("postgres://", "postgresql://"):
            if url.startswith(prefix):
                return "postgresql+psycopg://" + url[len(prefix):]
        return url

    @property
    def secret_key(self) -> str:
        """FANGSIANG_SECRET_KEY, or a random key kept in the data directory so sessions survive restarts."""
        return self.fangsiang_secret_key or self._local_secret("secret.key")

    @property
    def postback_secret(self) -> str:
        """FANGSIANG_POSTBACK_SECRET, or one derived from the secret key (so buttons survive restarts)."""
        import hashlib
        import hmac

        if self.fangsiang_postback_secret:
            return self.fangsiang_postback_secret
        return hmac.new(self.secret_key.encode(), b"fangsiang-postbacks", hashlib.sha256).hexdigest()

    @property
    def line_signing_secret(self) -> str:
        """LINE_CHANNEL_SECRET; without it, a local secret only `fangsiang simulate` on this machine knows."""
        return self.line_channel_secret or self._local_secret("simulator-line.secret")

    @property
    def facebook_signing_secret(self) -> str:
        """FACEBOOK_APP_SECRET; without it, a local secret only `fangsiang simulate` on this machine knows."""
        return self.facebook_app_secret or self._local_secret("simulator-facebook.secret")

    def _local_secret(self, name: str) -> str:
        """A random secret generated once and kept (mode 600) in the data directory."""
        path = self.data_dir / name
        if not path.exists():
            path.write_text(secrets.token_urlsafe(48))
            path.chmod(0o600)
        return path.read_text().strip()


@lru_cache
def get_settings() -> Settings:
    """The process's settings, read once."""
    return Settings()
