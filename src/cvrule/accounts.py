"""Accounts of the web app and the API: users, their roles, their passwords and their API tokens.

    viewer   reads everything an assessment shows: matrix, decisions, parties, deadlines, reports
    analyst  also uploads inputs, runs assessments and confirms or rejects supplier links
    admin    also manages users and reads the audit log of the whole workspace

Passwords are kept only as Argon2id hashes (argon2-cffi's defaults: 64 MiB, 3 passes); API tokens
only as their SHA-256 (a token is 256 random bits, so a fast hash is enough). A token is shown
once, when it is made. Every change is written with its audit entry in one transaction. No user
exists until someone adds one (`cvrule user add`): there is no default account or password.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from cvrule.errors import CvruleError
from cvrule.store import Store, audit
from cvrule.store.users import TokenRow, UserRow, UserTables

__all__ = [
    "MIN_PASSWORD_LENGTH",
    "ROLES",
    "AccountError",
    "Accounts",
    "add_user",
    "check_password",
    "create_token",
    "hash_password",
    "load_accounts",
    "revoke_token",
    "role_at_least",
    "set_disabled",
    "set_password",
    "set_role",
    "token_digest",
]

ROLES = ("viewer", "analyst", "admin")
"""Least to most: each role may do everything the ones before it may."""

MIN_PASSWORD_LENGTH = 10
_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._@-]{0,63}")
_TOKEN = re.compile(r"cvr_([0-9a-f]{12})_([A-Za-z0-9_-]{43})")
_HASHER = PasswordHasher()
# A hash to verify against when the user does not exist, so that a wrong name costs as much time
# as a wrong password (no user enumeration by timing).
_DUMMY_HASH = _HASHER.hash(secrets.token_urlsafe(16))


class AccountError(CvruleError):
    """A user or token that cannot be added or changed: the message says why."""


def role_at_least(role: str, needed: str) -> bool:
    return role in ROLES and ROLES.index(role) >= ROLES.index(needed)


def hash_password(password: str) -> str:
    return _HASHER.hash(password)


def check_password(user: UserRow | None, password: str) -> bool:
    """Whether `password` is the user's (False for a missing or disabled user, in the same time)."""
    digest = user.password_hash if user is not None else _DUMMY_HASH
    try:
        ok = _HASHER.verify(digest, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        ok = False
    return ok and user is not None and not user.disabled


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@dataclass
class Accounts:
    """Every user and live token at one moment (what the web app checks each request against)."""

    users: dict[str, UserRow] = field(default_factory=dict)
    tokens: dict[str, TokenRow] = field(default_factory=dict)
    """token SHA-256 -> its row, for the tokens not revoked."""

    def user_for_token(self, token: str, max_age_days: float | None = None,
                       now: datetime | None = None) -> UserRow | None:
        """The user a live token belongs to; None for an unknown, revoked or (with
        `max_age_days`) expired one."""
        if not _TOKEN.fullmatch(token):
            return None
        digest = token_digest(token)
        row = self.tokens.get(digest)
        if row is None or not hmac.compare_digest(row.token_sha256, digest):
            return None
        if max_age_days is not None:
            now = now or datetime.now(timezone.utc).replace(tzinfo=None)
            if now - row.created_at > timedelta(days=max_age_days):
                return None
        user = self.users.get(row.user_name)
        return user if user is not None and not user.disabled else None


def load_accounts(store: Store) -> Accounts:
    tables = UserTables(store)
    users = {u.name: u for u in tables.users()}
    tokens = {t.token_sha256: t for t in tables.tokens() if t.revoked_at is None}
    return Accounts(users, tokens)


def _check_name(name: str) -> None:
    if not _NAME.fullmatch(name or ""):
        raise AccountError(f"user name {name!r}: expected 1-64 letters, digits or . _ @ - (starting with a letter or digit)")


def _check_role(role: str) -> None:
    if role not in ROLES:
        raise AccountError(f"role {role!r}: expected one of {', '.join(ROLES)}")


def _check_password(password: str) -> None:
    if len(password or "") < MIN_PASSWORD_LENGTH:
        raise AccountError(f"a password needs at least {MIN_PASSWORD_LENGTH} characters")
    if len(password) > 1024:
        raise AccountError("a password may have at most 1024 characters")


def _existing(tables: UserTables, name: str) -> UserRow:
    user = tables.user(name)
    if user is None:
        raise AccountError(f"no user {name!r} in this workspace (`cvrule user list` shows them)")
    return user


def add_user(store: Store, name: str, role: str, password: str, actor: str | None = None) -> UserRow:
    _check_name(name)
    _check_role(role)
    _check_password(password)
    tables = UserTables(store)
    digest = hash_password(password)
    with store.transaction():
        if tables.user(name) is not None:
            raise AccountError(f"user {name!r} already exists")
        tables.insert_user(name, role, digest, secrets.token_hex(8))
        audit.append(store, actor, "user.add", name, {"role": role})
    return tables.user(name)  # type: ignore[return-value]


def set_password(store: Store, name: str, password: str, actor: str | None = None) -> None:
    _check_password(password)
    tables = UserTables(store)
    digest = hash_password(password)
    with store.transaction():
        _existing(tables, name)
        tables.update_user(name, password_hash=digest, session_version=secrets.token_hex(8))
        audit.append(store, actor, "user.password", name, {})


def set_role(store: Store, name: str, role: str, actor: str | None = None) -> None:
    _check_role(role)
    tables = UserTables(store)
    with store.transaction():
        before = _existing(tables, name).role
        tables.update_user(name, role=role, session_version=secrets.token_hex(8))
        audit.append(store, actor, "user.role", name, {"from": before, "to": role})


def set_disabled(store: Store, name: str, disabled: bool, actor: str | None = None) -> None:
    """Disable a user (their sessions and tokens stop working at once) or enable them again."""
    tables = UserTables(store)
    with store.transaction():
        _existing(tables, name)
        tables.update_user(name, disabled=disabled, session_version=secrets.token_hex(8))
        audit.append(store, actor, "user.disable" if disabled else "user.enable", name, {})


def create_token(store: Store, name: str, label: str | None = None, actor: str | None = None) -> tuple[TokenRow, str]:
    """Make an API token for `name`; return its row and the token itself (shown once, never kept)."""
    tables = UserTables(store)
    token_id = secrets.token_hex(6)
    token = f"cvr_{token_id}_{secrets.token_urlsafe(32)}"
    label = (label or "").strip()[:100] or None
    with store.transaction():
        if _existing(tables, name).disabled:
            raise AccountError(f"user {name!r} is disabled")
        tables.insert_token(token_id, name, token_digest(token), label)
        audit.append(store, actor, "token.create", name, {"token_id": token_id, "label": label})
    row = next(t for t in tables.tokens(name) if t.token_id == token_id)
    return row, token


def revoke_token(store: Store, token_id: str, actor: str | None = None, owner: str | None = None) -> None:
    """Revoke a token; with `owner`, only one of that user's."""
    tables = UserTables(store)
    with store.transaction():
        found = [t for t in tables.tokens(owner) if t.token_id == token_id]
        if not found:
            raise AccountError(f"no token {token_id!r}" + (f" of {owner!r}" if owner else ""))
        if not tables.revoke_token(token_id):
            raise AccountError(f"token {token_id!r} is already revoked")
        audit.append(store, actor, "token.revoke", found[0].user_name, {"token_id": token_id})
