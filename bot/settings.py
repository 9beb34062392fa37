"""Settings every Orienta process reads from its environment."""

import os
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Mapping, Optional, Tuple

if TYPE_CHECKING:
    from redis.asyncio import Redis

ROOT = Path(__file__).resolve().parents[1]
REDIS_TIMEOUT_S = 2.0  # a stalled Redis is treated as away after this, never waited on
DEFAULT_SQLITE_PATH = ROOT / "var" / "orienta.db"
REST_CHANNEL_SWITCH = "ORIENTA_REST_CHANNEL"
STATS_THRESHOLD, DEFAULT_STATS_THRESHOLD = "ORIENTA_STATS_MIN_PEOPLE", 10


class MissingSetting(RuntimeError):
    """A required environment variable is not set."""


def redis_client(url: str) -> "Redis":
    """An async Redis client that gives up on a stalled server after REDIS_TIMEOUT_S."""
    from redis.asyncio import Redis

    return Redis.from_url(url, socket_timeout=REDIS_TIMEOUT_S, socket_connect_timeout=REDIS_TIMEOUT_S)


def rest_channel_enabled(environment: Mapping[str, str]) -> bool:
    """ORIENTA_REST_CHANNEL (on or off); unset: on unless replies go to a real Twilio account."""
    switch = environment.get(REST_CHANNEL_SWITCH, "").strip().lower()
    if switch not in ("", "on", "off"):
        raise ValueError(f"{REST_CHANNEL_SWITCH} must be 'on' or 'off'")
    real_twilio = bool(environment.get("TWILIO_ACCOUNT_SID")) and not environment.get("ORIENTA_TWILIO_API_URL")
    return switch == "on" or (not switch and not real_twilio)


def database_url() -> str:
    """ORIENTA_DATABASE_URL, else the SQLite file ORIENTA_SQLITE_PATH (default var/orienta.db)."""
    sqlite_path = os.environ.get("ORIENTA_SQLITE_PATH") or str(DEFAULT_SQLITE_PATH)
    return os.environ.get("ORIENTA_DATABASE_URL") or f"sqlite:///{sqlite_path}"


STATUS_PATH = "/webhooks/twilio/status"  # where Twilio reports how a sent message fared


def reachable_url(public_url: Optional[str], twilio_api_url: Optional[str]) -> Optional[str]:
    """Where Twilio reaches the engines: PUBLIC_URL, the base URL the webhook's signature
    covers; else, with the simulator standing in for Twilio, the engine's own address
    (ORIENTA_HOST, ORIENTA_PORT); else none (Twilio cannot reach a local address)."""
    if public_url:
        return public_url
    if not twilio_api_url:
        return None
    host = os.environ.get("ORIENTA_HOST", "127.0.0.1")
    host = "127.0.0.1" if host in ("", "0.0.0.0", "::") else host
    return f"http://{host}:{os.environ.get('ORIENTA_PORT', '5005')}"


def status_callback_url(public_url: Optional[str], twilio_api_url: Optional[str]) -> Optional[str]:
    """The StatusCallback every message carries, where Twilio reaches the engines."""
    base = reachable_url(public_url, twilio_api_url)
    return base + STATUS_PATH if base else None


def statistics_threshold(environment: Mapping[str, str] = os.environ) -> int:
    """ORIENTA_STATS_MIN_PEOPLE (default 10): a published count of fewer people is suppressed."""
    value = environment.get(STATS_THRESHOLD, "").strip() or str(DEFAULT_STATS_THRESHOLD)
    if not value.isdigit() or int(value) < 2:
        raise ValueError(f"{STATS_THRESHOLD} must be a whole number of at least 2")
    return int(value)


def _required(name: str) -> str:
    value = os.environ.get(name, "").strip()
    if not value:
        raise MissingSetting(f"{name} is not set (see README, Configuration)")
    return value


@dataclass(frozen=True)
class Settings:
    database_url: str
    data_keys: Tuple[str, ...]
    sender_key: bytes
    twilio_account_sid: str
    twilio_auth_token: str
    twilio_api_url: Optional[str]
    public_url: Optional[str]
    redis_url: Optional[str]
    status_callback_url: Optional[str] = None
    sms_from: Optional[str] = None  # the number danger replies go from by SMS when WhatsApp fails

    @classmethod
    def from_env(cls) -> "Settings":
        public_url = (os.environ.get("PUBLIC_URL") or "").rstrip("/") or None
        twilio_api_url = os.environ.get("ORIENTA_TWILIO_API_URL") or None
        return cls(
            database_url=database_url(),
            data_keys=tuple(key.strip() for key in _required("ORIENTA_DATA_KEYS").split(",") if key.strip()),
            sender_key=_required("ORIENTA_SENDER_KEY").encode(),
            twilio_account_sid=_required("TWILIO_ACCOUNT_SID"),
            twilio_auth_token=_required("TWILIO_AUTH_TOKEN"),
            twilio_api_url=twilio_api_url,
            public_url=public_url,
            redis_url=os.environ.get("ORIENTA_REDIS_URL") or None,
            status_callback_url=status_callback_url(public_url, twilio_api_url),
            sms_from=os.environ.get("ORIENTA_SMS_FROM", "").strip() or None,
        )
