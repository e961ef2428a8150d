"""Settings, read once from ``GUILDHALL_*`` environment variables (and ``.env``)."""

from __future__ import annotations

import ipaddress
import secrets
from functools import cached_property
from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


def _networks(text: str) -> list[Network]:
    """Comma-separated addresses or networks (``10.0.0.0/8, ::1``)."""
    return [ipaddress.ip_network(n.strip(), strict=False) for n in text.split(",") if n.strip()]


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="GUILDHALL_", env_file=".env", env_file_encoding="utf-8", extra="ignore"
    )

    data_dir: Path = Path("./data")
    database_url: str | None = None
    redis_url: str | None = None
    # Prefix of every Redis key and channel: lets deployments (or test runs) share a Redis.
    redis_namespace: str = "guildhall"
    secret_key: str | None = None

    # Where uploaded files live: the data dir, or an S3-compatible bucket that every
    # node shares. Unset keys/region fall back to boto3's own chain (AWS_* env, roles).
    storage: Literal["local", "s3"] = "local"
    s3_bucket: str | None = None
    s3_endpoint_url: str | None = None
    s3_region: str | None = None
    s3_access_key_id: str | None = None
    s3_secret_access_key: SecretStr | None = None
    s3_prefix: str = ""

    api_rate_limit: str = "100/minute"
    socket_rate_limit: str = "60/minute"
    upload_rate_limit: str = "10/minute"
    message_rate_limit: str = "10/10 seconds"
    friend_request_rate_limit: str = "10/minute"

    max_messages_per_channel: int = Field(10000, ge=0)
    max_friends: int = Field(1000, ge=1)
    max_guilds_per_user: int = Field(100, ge=1)
    max_channels_per_guild: int = Field(500, ge=1)
    max_pins_per_channel: int = Field(50, ge=1)
    max_emojis_per_guild: int = Field(50, ge=1)
    max_stickers_per_guild: int = Field(50, ge=1)
    max_message_length: int = Field(2000, ge=1)
    max_upload_bytes: int = Field(10 * 1024 * 1024, ge=1)
    max_emoji_bytes: int = Field(256 * 1024, ge=1)
    max_sticker_bytes: int = Field(512 * 1024, ge=1)
    max_json_body_bytes: int = Field(1024 * 1024, ge=1)

    # Outgoing mail (password reset). smtp://user:pass@host:587 (STARTTLS when the
    # server offers it) or smtps://user:pass@host:465 (implicit TLS). Links in mails
    # start with public_url, never with a request's Host (a forged Host would
    # otherwise send a victim a link to the attacker's site).
    smtp_url: SecretStr | None = None
    mail_from: str | None = None
    public_url: str | None = None
    smtp_timeout: float = Field(30.0, gt=0)
    # Seconds between attempts at a mail whose sending failed transiently.
    mail_retry_delays: str = "5,30,120"
    password_resets_per_hour: int = Field(3, ge=1)

    trusted_proxies: str = ""
    allowed_origins: str = ""
    secure_cookies: bool = False

    # "NORMAL" survives a killed process (WAL); "FULL" also survives power loss.
    sqlite_synchronous: str = "NORMAL"
    # How much of the database file SQLite reads through a memory map (MiB; 0: off).
    # Off by default: it helped single statements but not yet the service under
    # load (docs/decisions/search.md, "Measured").
    sqlite_mmap_mb: int = Field(0, ge=0)
    log_json: bool = False

    # Account safety (contract section 19). Failed logins per account, whatever the
    # client IP ("off" disables); idle sessions end; sessions per user are capped.
    login_failure_limit: str = "10/15 minutes"
    session_idle_days: int = Field(30, ge=1)
    max_sessions_per_user: int = Field(100, ge=1)
    # Sockets (contract section 19): an unauthenticated socket is closed after this
    # many seconds; at most this many unauthenticated sockets per client address.
    socket_auth_timeout: float = Field(10, gt=0)
    sockets_per_ip: int = Field(100, ge=1)
    # Fan-out writes one prebuilt WebSocket frame straight to every recipient's
    # connection (realtime/wire.py); a reader 256 KiB behind is closed with 1013.
    # Off: uvicorn's stock WebSocket protocol (with per-message deflate) and
    # python-engineio's queue and writer task per socket, the old path. Read by
    # `guildhall serve` (uvicorn's ws protocol).
    socket_direct_write: bool = True
    # An upload never attached to a message is deleted after this many hours, by a
    # sweep every ``upload_sweep_seconds`` on each node (safe to run on all of them).
    unattached_upload_hours: float = Field(24, gt=0)
    upload_sweep_seconds: float = Field(3600, gt=0)
    # Lossless reconnect (contract section 18): each channel's replay log keeps its
    # last ``replay_events`` events, none older than ``replay_hours``; every node
    # deletes the expired ones every ``replay_sweep_seconds``.
    replay_events: int = Field(1000, ge=1)
    replay_hours: float = Field(24, gt=0)
    replay_sweep_seconds: float = Field(600, gt=0)
    max_invites_per_guild: int = Field(1000, ge=1)
    # Who may read /metrics: comma-separated addresses or networks (the client
    # address as for rate limits, trusted proxies included); empty = anyone.
    metrics_allow: str = ""

    @cached_property
    def metrics_networks(self) -> list[Network]:
        return _networks(self.metrics_allow)

    @cached_property
    def trusted_networks(self) -> list[Network]:
        return _networks(self.trusted_proxies)

    @model_validator(mode="after")
    def _networks_parse(self) -> Settings:
        """Parsed now: a typo stops the start, not a request."""
        for name in ("metrics_allow", "trusted_proxies"):
            try:
                _networks(getattr(self, name))
            except ValueError as exc:
                raise ValueError(f"GUILDHALL_{name.upper()}: {exc}") from None
        return self

    @model_validator(mode="after")
    def _s3_needs_a_bucket(self) -> Settings:
        if self.storage == "s3" and not self.s3_bucket:
            raise ValueError("GUILDHALL_STORAGE=s3 needs GUILDHALL_S3_BUCKET")
        return self

    @cached_property
    def resolved_database_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite+aiosqlite:///{self.data_dir.resolve() / 'guildhall.db'}"

    @property
    def is_sqlite(self) -> bool:
        return self.resolved_database_url.startswith("sqlite")

    @property
    def uploads_dir(self) -> Path:
        return self.data_dir.resolve() / "uploads"

    @cached_property
    def resolved_secret_key(self) -> str:
        """The configured key, else one generated once and kept in the data dir."""
        if self.secret_key:
            return self.secret_key
        path = self.data_dir / "secret_key"
        if path.exists():
            return path.read_text().strip()
        self.data_dir.mkdir(parents=True, exist_ok=True)
        key = secrets.token_urlsafe(48)
        path.write_text(key)
        path.chmod(0o600)
        return key

    def trusts(self, peer: str | None) -> bool:
        """Whether ``peer`` is one of GUILDHALL_TRUSTED_PROXIES: the one rule for
        believing ``X-Forwarded-*`` (client address, origin host and scheme)."""
        if not peer or not self.trusted_networks:
            return False
        try:
            ip = ipaddress.ip_address(peer)
        except ValueError:
            return False
        return any(ip in net for net in self.trusted_networks)

    @property
    def allowed_origin_list(self) -> list[str]:
        return [o.strip().rstrip("/") for o in self.allowed_origins.split(",") if o.strip()]

    @property
    def mail_configured(self) -> bool:
        return bool(self.smtp_url and self.smtp_url.get_secret_value() and self.public_url)

    @property
    def mail_retry_delay_list(self) -> list[float]:
        return [float(d) for d in self.mail_retry_delays.split(",") if d.strip()]
