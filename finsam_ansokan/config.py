"""Settings, read from the environment.

SQLite under ``instance/`` is the default so that a newcomer needs nothing installed;
``DATABASE_URL`` selects PostgreSQL (``postgresql+psycopg://…``) in CI and production.
"""

from __future__ import annotations

import os
from pathlib import Path

DEV_SECRET_KEY = "dev-only-secret-key-not-for-production"  # noqa: S105


def _normalise_database_url(url: str) -> str:
    # Heroku-style and plain libpq URLs: use psycopg 3, the driver we install.
    if url.startswith("postgres://"):
        url = "postgresql://" + url[len("postgres://") :]
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://") :]
    return url


def _bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on", "ja"}


def load_config(instance_path: str) -> dict:
    """Build the configuration mapping for :func:`create_app`."""
    default_db = "sqlite:///" + str(Path(instance_path) / "finsam_ansokan.sqlite3")
    env = os.environ.get("FINSAM_ENV", "development")
    config: dict = {
        "ENV_NAME": env,
        "SECRET_KEY": os.environ.get("SECRET_KEY", DEV_SECRET_KEY),
        "SQLALCHEMY_DATABASE_URI": _normalise_database_url(
            os.environ.get("DATABASE_URL", default_db)
        ),
        "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True},
        "WTF_CSRF_TIME_LIMIT": None,  # a long form may stay open for hours
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": _bool("SESSION_COOKIE_SECURE", env == "production"),
        "REMEMBER_COOKIE_HTTPONLY": True,
        "REMEMBER_COOKIE_SAMESITE": "Lax",
        "REMEMBER_COOKIE_SECURE": _bool("SESSION_COOKIE_SECURE", env == "production"),
        "MAX_CONTENT_LENGTH": int(os.environ.get("MAX_UPLOAD_MB", "10")) * 1024 * 1024 + 64 * 1024,
        "MAX_ATTACHMENT_BYTES": int(os.environ.get("MAX_UPLOAD_MB", "10")) * 1024 * 1024,
        # where attachment bytes live: "local" (a directory, UPLOAD_FOLDER) or "s3" (a bucket
        # of an S3-compatible store; credentials from the usual AWS_* variables)
        "ATTACHMENT_STORAGE": os.environ.get("ATTACHMENT_STORAGE", "local"),
        "UPLOAD_FOLDER": os.environ.get("UPLOAD_FOLDER", str(Path(instance_path) / "uploads")),
        "S3_BUCKET": os.environ.get("S3_BUCKET"),
        "S3_ENDPOINT_URL": os.environ.get("S3_ENDPOINT_URL"),
        "S3_REGION": os.environ.get("S3_REGION"),
        # several instances share the login counters in Redis; one instance may keep them
        # in memory
        "RATELIMIT_STORAGE_URI": os.environ.get("REDIS_URL", "memory://"),
        # a Redis that does not answer must not hold a login for long
        "RATELIMIT_STORAGE_OPTIONS": (
            {"socket_connect_timeout": 1, "socket_timeout": 1}
            if os.environ.get("REDIS_URL")
            else {}
        ),
        "RATELIMIT_KEY_PREFIX": os.environ.get("RATELIMIT_KEY_PREFIX", "finsam"),
        # a moving window: no burst of twice the limit around a window's edge
        "RATELIMIT_STRATEGY": "moving-window",
        # reverse proxies in front of the app (nginx: 1); their X-Forwarded-* are trusted
        "TRUSTED_PROXIES": int(os.environ.get("TRUSTED_PROXIES", "0")),
        "RATELIMIT_HEADERS_ENABLED": False,
        # Redis down: count in this worker's memory (with a logged warning) rather than
        # refuse every login
        "RATELIMIT_IN_MEMORY_FALLBACK_ENABLED": True,
        # failed logins per account (the address typed), and per client address: a kommun's
        # staff share one address behind NAT, so that limit is much higher
        "LOGIN_RATE_LIMIT": os.environ.get("LOGIN_RATE_LIMIT", "5 per minute;20 per hour"),
        "LOGIN_ADDRESS_RATE_LIMIT": os.environ.get(
            "LOGIN_ADDRESS_RATE_LIMIT", "60 per minute;600 per hour"
        ),
        # "Glömt lösenordet?": e-mails per account and requests per client address
        "RESET_RATE_LIMIT": os.environ.get("RESET_RATE_LIMIT", "3 per hour"),
        "RESET_ADDRESS_RATE_LIMIT": os.environ.get("RESET_ADDRESS_RATE_LIMIT", "30 per hour"),
        # a signed-in session ends after this long without a request, and in any case after
        # the absolute lifetime
        "SESSION_IDLE_MINUTES": int(os.environ.get("SESSION_IDLE_MINUTES", "120")),
        "SESSION_MAX_HOURS": int(os.environ.get("SESSION_MAX_HOURS", "12")),
        # the most sensitive actions ask for the password (and code) again after this long
        "FRESH_AUTH_MINUTES": int(os.environ.get("FRESH_AUTH_MINUTES", "10")),
        "INVITATION_DAYS": int(os.environ.get("INVITATION_DAYS", "7")),
        "RESET_LINK_MINUTES": int(os.environ.get("RESET_LINK_MINUTES", "60")),
        "MAIL_SERVER": os.environ.get("MAIL_SERVER"),
        "MAIL_PORT": int(os.environ.get("MAIL_PORT", "587")),
        "MAIL_USERNAME": os.environ.get("MAIL_USERNAME"),
        "MAIL_PASSWORD": os.environ.get("MAIL_PASSWORD"),
        "MAIL_USE_TLS": _bool("MAIL_USE_TLS", True),
        "MAIL_SENDER": os.environ.get("MAIL_SENDER", "noreply@finsam.example"),
        "PUBLIC_BASE_URL": os.environ.get("PUBLIC_BASE_URL", "http://127.0.0.1:5000"),
        "PAGE_SIZE": int(os.environ.get("PAGE_SIZE", "25")),
        # a background job with no sign of life for this long lost its worker: queued again
        "JOB_STALE_MINUTES": int(os.environ.get("JOB_STALE_MINUTES", "30")),
    }
    return config


class ConfigurationError(RuntimeError):
    """Raised when the app would start in an unsafe configuration."""


def check_production_config(config: dict) -> None:
    """Refuse to start in production without a real secret key."""
    if config.get("ENV_NAME") != "production":
        return
    key = config.get("SECRET_KEY") or ""
    if key == DEV_SECRET_KEY or len(key) < 32:
        raise ConfigurationError(
            "SECRET_KEY saknas eller är för kort (minst 32 tecken) i produktion. "
            "Sätt miljövariabeln SECRET_KEY, t.ex. med "
            "`python -c 'import secrets; print(secrets.token_hex(32))'`."
        )
