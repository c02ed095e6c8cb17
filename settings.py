"""Settings read once from the environment (SUTURA_*), with the embedded defaults.

Unset values give the embedded default: data under ./data, SQLite in it, a private
redis-server on a Unix socket in it, and the arq worker inside the web process.
"""

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

MEGABYTE = 1024 * 1024


class SettingsError(ValueError):
    """A setting is missing or malformed; the message names it."""


@dataclass(frozen=True)
class Settings:
    data_dir: Path
    database_url: str
    redis_url: str | None  # None: start a private redis-server inside data_dir
    host: str
    port: int
    public_url: str
    master_keys: (
        str | None
    )  # "kid:base64,kid:base64" (first is active); None: key files in data_dir
    lookup_key: str | None  # base64; None: key file in data_dir
    max_upload_bytes: int
    max_pixels: int
    session_idle_minutes: int
    session_absolute_hours: int
    worker_in_process: bool
    retention_years: int = 10
    acute_warning_days: int = 7
    external_link_days: int = 7
    external_max_files: int = 30
    external_max_bytes: int = 500 * 1024 * 1024
    external_unfiled_days: int = 30
    smtp_host: str | None = None  # None: mails are written as .eml files under data_dir/mail
    smtp_port: int = 587
    smtp_security: str = "starttls"  # starttls, tls or none
    smtp_username: str | None = None
    smtp_password: str | None = None
    mail_from: str = "Sutura <sutura@localhost>"
    tls_certfile: Path | None = None
    tls_keyfile: Path | None = None
    forwarded_allow_ips: str = "127.0.0.1"

    @property
    def mail_dir(self) -> Path:
        return self.data_dir / "mail"

    @property
    def embedded_redis_socket(self) -> Path:
        return self.data_dir / "run" / "redis.sock"

    @property
    def blob_dir(self) -> Path:
        return self.data_dir / "blobs"

    @property
    def key_dir(self) -> Path:
        return self.data_dir / "keys"

    @property
    def is_tls(self) -> bool:
        return self.public_url.startswith("https://") or self.tls_certfile is not None


def load_settings(environ: dict[str, str] | None = None) -> Settings:
    """Read SUTURA_* variables; raises SettingsError naming the bad one."""
    env = dict(os.environ if environ is None else environ)
    data_dir = Path(env.get("SUTURA_DATA_DIR", "data")).resolve()
    host = env.get("SUTURA_HOST", "127.0.0.1")
    port = _integer(env, "SUTURA_PORT", 8080)
    return Settings(
        data_dir=data_dir,
        database_url=env.get("SUTURA_DATABASE_URL") or f"sqlite://{data_dir / 'sutura.sqlite3'}",
        redis_url=env.get("SUTURA_REDIS_URL") or None,
        host=host,
        port=port,
        public_url=_public_url(env, host, port),
        master_keys=env.get("SUTURA_MASTER_KEYS") or None,
        lookup_key=env.get("SUTURA_LOOKUP_KEY") or None,
        max_upload_bytes=_integer(env, "SUTURA_MAX_UPLOAD_MB", 50) * MEGABYTE,
        max_pixels=_integer(env, "SUTURA_MAX_MEGAPIXELS", 100) * 1_000_000,
        session_idle_minutes=_integer(env, "SUTURA_SESSION_IDLE_MINUTES", 30),
        session_absolute_hours=_integer(env, "SUTURA_SESSION_ABSOLUTE_HOURS", 12),
        worker_in_process=_boolean(env, "SUTURA_WORKER_IN_PROCESS", True),
        retention_years=_integer(env, "SUTURA_RETENTION_YEARS", 10),
        acute_warning_days=_integer(env, "SUTURA_ACUTE_WARNING_DAYS", 7),
        external_link_days=_integer(env, "SUTURA_EXTERNAL_LINK_DAYS", 7),
        external_max_files=_integer(env, "SUTURA_EXTERNAL_MAX_FILES", 30),
        external_max_bytes=_integer(env, "SUTURA_EXTERNAL_MAX_MB", 500) * MEGABYTE,
        external_unfiled_days=_integer(env, "SUTURA_EXTERNAL_UNFILED_DAYS", 30),
        **_mail_settings(env),
        **_tls_settings(env),
    )


def _mail_settings(env: dict[str, str]) -> dict[str, Any]:
    security = env.get("SUTURA_SMTP_SECURITY", "starttls").strip().lower()
    if security not in ("starttls", "tls", "none"):
        raise SettingsError(f"SUTURA_SMTP_SECURITY must be starttls, tls or none, not {security!r}")
    return {
        "smtp_host": env.get("SUTURA_SMTP_HOST") or None,
        "smtp_port": _integer(env, "SUTURA_SMTP_PORT", 465 if security == "tls" else 587),
        "smtp_security": security,
        "smtp_username": env.get("SUTURA_SMTP_USERNAME") or None,
        "smtp_password": env.get("SUTURA_SMTP_PASSWORD") or None,
        "mail_from": env.get("SUTURA_MAIL_FROM") or "Sutura <sutura@localhost>",
    }


def _tls_settings(env: dict[str, str]) -> dict[str, Any]:
    cert, key = env.get("SUTURA_TLS_CERT") or None, env.get("SUTURA_TLS_KEY") or None
    if (cert is None) != (key is None):
        raise SettingsError("SUTURA_TLS_CERT and SUTURA_TLS_KEY go together")
    return {
        "tls_certfile": Path(cert) if cert else None,
        "tls_keyfile": Path(key) if key else None,
        "forwarded_allow_ips": env.get("SUTURA_FORWARDED_ALLOW_IPS") or "127.0.0.1",
    }


def _integer(env: dict[str, str], name: str, default: int) -> int:
    raw = env.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise SettingsError(f"{name} must be a whole number, not {raw!r}") from None
    if value <= 0:
        raise SettingsError(f"{name} must be positive, not {value}")
    return value


def _boolean(env: dict[str, str], name: str, default: bool) -> bool:
    raw = env.get(name, "").strip().lower()
    if raw == "":
        return default
    if raw in ("1", "true", "yes", "on"):
        return True
    if raw in ("0", "false", "no", "off"):
        return False
    raise SettingsError(f"{name} must be true or false, not {raw!r}")


def _public_url(env: dict[str, str], host: str, port: int) -> str:
    scheme = "https" if env.get("SUTURA_TLS_CERT") else "http"
    url = env.get("SUTURA_PUBLIC_URL") or f"{scheme}://{host}:{port}"
    if not url.startswith(("http://", "https://")) or "@" in url:
        raise SettingsError(f"SUTURA_PUBLIC_URL must be an http(s) address, not {url!r}")
    return url.rstrip("/")
