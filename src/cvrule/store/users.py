"""The store's side of accounts: the `users` and `api_tokens` tables (schema migration 5).

Only hashes are stored: a password's Argon2id hash, a token's SHA-256. Every change is written
with its audit entry in one transaction by the caller (cvrule.accounts), which knows who acts.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone

from cvrule.store.database import Store

__all__ = ["TokenRow", "UserRow", "UserTables"]


@dataclass(frozen=True, slots=True)
class UserRow:
    name: str
    role: str
    password_hash: str
    session_version: str
    created_at: datetime
    changed_at: datetime
    disabled: bool


@dataclass(frozen=True, slots=True)
class TokenRow:
    token_id: str
    user_name: str
    token_sha256: str
    label: str | None
    created_at: datetime
    revoked_at: datetime | None


def _now() -> datetime:
    return datetime.now(timezone.utc).replace(tzinfo=None)


class UserTables:
    def __init__(self, store: Store):
        self.store = store
        self._con = store._con

    # -- users ---------------------------------------------------------------------------------

    def users(self) -> list[UserRow]:
        rows = self._con.execute(
            "SELECT name, role, password_hash, session_version, created_at, changed_at, disabled FROM users ORDER BY name"
        ).fetchall()
        return [UserRow(*row) for row in rows]

    def user(self, name: str) -> UserRow | None:
        row = self._con.execute(
            "SELECT name, role, password_hash, session_version, created_at, changed_at, disabled FROM users WHERE name = ?",
            [name],
        ).fetchone()
        return UserRow(*row) if row else None

    def insert_user(self, name: str, role: str, password_hash: str, session_version: str) -> None:
        now = _now()
        self._con.execute("INSERT INTO users VALUES (?, ?, ?, ?, ?, ?, FALSE)",
                          [name, role, password_hash, session_version, now, now])

    def update_user(self, name: str, *, session_version: str, role: str | None = None,
                    password_hash: str | None = None, disabled: bool | None = None) -> None:
        current = self.user(name)
        if current is None:
            raise KeyError(name)
        self._con.execute(
            "UPDATE users SET role = ?, password_hash = ?, disabled = ?, session_version = ?, changed_at = ? WHERE name = ?",
            [role or current.role, password_hash or current.password_hash,
             current.disabled if disabled is None else disabled, session_version, _now(), name],
        )

    # -- tokens --------------------------------------------------------------------------------

    def tokens(self, user_name: str | None = None) -> list[TokenRow]:
        where, params = ("WHERE user_name = ?", [user_name]) if user_name else ("", [])
        rows = self._con.execute(
            f"SELECT token_id, user_name, token_sha256, label, created_at, revoked_at FROM api_tokens {where} "
            "ORDER BY created_at, token_id", params,
        ).fetchall()
        return [TokenRow(*row) for row in rows]

    def insert_token(self, token_id: str, user_name: str, token_sha256: str, label: str | None) -> None:
        self._con.execute("INSERT INTO api_tokens VALUES (?, ?, ?, ?, ?, NULL)",
                          [token_id, user_name, token_sha256, label, _now()])

    def revoke_token(self, token_id: str) -> bool:
        found = self._con.execute("SELECT revoked_at FROM api_tokens WHERE token_id = ?", [token_id]).fetchone()
        if found is None or found[0] is not None:
            return False
        self._con.execute("UPDATE api_tokens SET revoked_at = ? WHERE token_id = ?", [_now(), token_id])
        return True
