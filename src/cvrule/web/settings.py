"""The web app's settings: one class, read from `CVRULE_` environment variables (docs/web.md).

The secret that signs session cookies has no default: it is `CVRULE_SECRET` when set (at least
32 characters), else the file `<workspace>/web-secret`, made on first start from 384 random bits
with permissions 0600, and refused when anyone but its owner may read it.
"""

from __future__ import annotations

import os
import secrets
import stat
from dataclasses import dataclass
from pathlib import Path

from cvrule.errors import CvruleError

__all__ = ["SECRET_FILE", "SettingsError", "WebSettings", "load_secret"]

SECRET_FILE = "web-secret"
MIN_SECRET = 32


class SettingsError(CvruleError):
    """A setting of the web app is missing or malformed."""


@dataclass(frozen=True)
class WebSettings:
    session_hours: float = 12.0
    """CVRULE_WEB_SESSION_HOURS: how long a sign-in lasts."""
    token_days: float = 90.0
    """CVRULE_WEB_TOKEN_DAYS: how long an API token works after it is made (then make a new one)."""
    secure_cookies: bool = False
    """CVRULE_WEB_SECURE_COOKIES: send cookies over HTTPS only (set it when serving behind TLS)."""
    max_upload_mb: float = 512.0
    """CVRULE_WEB_MAX_UPLOAD_MB: the largest file an upload may hold."""
    store_wait_seconds: float = 15.0
    """CVRULE_WEB_STORE_WAIT: how long a request waits for a workspace another process is writing."""
    login_attempts: int = 10
    """CVRULE_WEB_LOGIN_ATTEMPTS: failed sign-ins per user name (and per client) in 15 minutes before
    further attempts are refused for the rest of the 15 minutes."""
    secret: str | None = None
    """CVRULE_SECRET: the key that signs session cookies (else the workspace's web-secret file)."""

    @classmethod
    def from_env(cls, environ: dict[str, str] | None = None) -> WebSettings:
        env = os.environ if environ is None else environ

        def number(name: str, default: float, kind=float):
            raw = env.get(name)
            if raw is None or raw == "":
                return default
            try:
                value = kind(raw)
            except ValueError:
                raise SettingsError(f"{name}={raw!r}: expected a number") from None
            if value <= 0:
                raise SettingsError(f"{name}={raw!r}: expected a number above 0")
            return value

        secure = env.get("CVRULE_WEB_SECURE_COOKIES", "").strip().lower()
        if secure not in ("", "0", "1", "true", "false", "yes", "no"):
            raise SettingsError(f"CVRULE_WEB_SECURE_COOKIES={secure!r}: expected true or false")
        return cls(
            session_hours=number("CVRULE_WEB_SESSION_HOURS", cls.session_hours),
            token_days=number("CVRULE_WEB_TOKEN_DAYS", cls.token_days),
            secure_cookies=secure in ("1", "true", "yes"),
            max_upload_mb=number("CVRULE_WEB_MAX_UPLOAD_MB", cls.max_upload_mb),
            store_wait_seconds=number("CVRULE_WEB_STORE_WAIT", cls.store_wait_seconds),
            login_attempts=number("CVRULE_WEB_LOGIN_ATTEMPTS", cls.login_attempts, int),
            secret=env.get("CVRULE_SECRET") or None,
        )


def load_secret(settings: WebSettings, workspace_root: Path) -> str:
    """The signing key: the setting, else the workspace's secret file (made if missing)."""
    if settings.secret is not None:
        if len(settings.secret) < MIN_SECRET:
            raise SettingsError(f"CVRULE_SECRET is {len(settings.secret)} characters long; use at least {MIN_SECRET} "
                                "random ones (or unset it to use a generated secret file in the workspace)")
        return settings.secret
    path = workspace_root / SECRET_FILE
    workspace_root.mkdir(parents=True, exist_ok=True)
    try:
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        pass
    else:
        with os.fdopen(descriptor, "w") as handle:
            handle.write(secrets.token_urlsafe(48) + "\n")
    mode = path.stat().st_mode
    if mode & (stat.S_IRWXG | stat.S_IRWXO):
        raise SettingsError(f"{path} may be read by others (mode {stat.S_IMODE(mode):o}); "
                            f"make it private with `chmod 600 {path}`")
    value = path.read_text(encoding="utf-8").strip()
    if len(value) < MIN_SECRET:
        raise SettingsError(f"{path} holds a secret of {len(value)} characters; delete it to have a new one made")
    return value
