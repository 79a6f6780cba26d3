"""What one running web app holds: its workspace, settings and signing key, the runs, the jobs,
and the accounts (read from the store, refreshed every few seconds and after every change).

The server never keeps the store open between requests: another process (`cvrule ingest`,
`cvrule review`) may write the workspace between them. A request that finds the store open
in another process waits up to CVRULE_WEB_STORE_WAIT seconds, then answers 503.
"""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, TypeVar

from cvrule.accounts import Accounts, load_accounts
from cvrule.errors import CvruleError, WorkspaceBusyError
from cvrule.store import Store, audit
from cvrule.web.runs import RunIndex
from cvrule.web.settings import WebSettings, load_secret
from cvrule.workspace import Workspace

__all__ = ["AppState", "StoreBusy"]

T = TypeVar("T")
ACCOUNTS_TTL = 5.0
LOGIN_WINDOW = 15 * 60.0


class StoreBusy(CvruleError):
    """The workspace store is open in another process for longer than the app waits."""


class AppState:
    def __init__(self, workspace: Workspace, settings: WebSettings, assessor: Callable | None = None):
        from cvrule.web.jobs import JobRunner

        self.workspace = workspace.create()
        self.settings = settings
        self.secret = load_secret(settings, workspace.root)
        self.runs = RunIndex(workspace)
        self._accounts: Accounts | None = None
        self._accounts_at = 0.0
        self._accounts_guard = threading.Lock()
        self._failures: dict[str, deque[float]] = {}
        self._failures_guard = threading.Lock()
        self._ended: dict[str, float] = {}
        with self.store():  # applies the schema migrations once, before any request
            pass
        self.jobs = JobRunner(self, assessor)

    # -- the store -------------------------------------------------------------------------------

    @contextmanager
    def store(self, wait: float | None = None) -> Iterator[Store]:
        deadline = time.monotonic() + (self.settings.store_wait_seconds if wait is None else wait)
        while True:
            try:
                opened = Store(self.workspace.store_path)
                break
            except WorkspaceBusyError as error:
                if time.monotonic() >= deadline:
                    raise StoreBusy(str(error)) from None
                time.sleep(0.1)
        try:
            yield opened
        finally:
            opened.close()

    def write(self, work: Callable[[Store], T]) -> T:
        """Run `work(store)` in one transaction (retried when it collides with a job's writes)."""
        with self.store() as store:
            return store.retrying(lambda: work(store))

    def record(self, actor: str, action: str, subject: str | None, detail: dict[str, Any]) -> None:
        """Append one entry to the workspace's audit log."""
        self.write(lambda store: audit.append(store, actor, action, subject, detail))

    # -- accounts --------------------------------------------------------------------------------

    def accounts(self, fresh: bool = False) -> Accounts:
        """Users and tokens, re-read when older than a few seconds (kept when the store is busy)."""
        now = time.monotonic()
        if not fresh and self._accounts is not None and now - self._accounts_at < ACCOUNTS_TTL:
            return self._accounts
        with self._accounts_guard:
            if not fresh and self._accounts is not None and time.monotonic() - self._accounts_at < ACCOUNTS_TTL:
                return self._accounts
            try:
                with self.store(wait=0 if self._accounts is not None and not fresh else None) as store:
                    self._accounts = load_accounts(store)
            except StoreBusy:
                if self._accounts is None:
                    raise
            self._accounts_at = time.monotonic()
            return self._accounts

    def accounts_changed(self) -> None:
        self.accounts(fresh=True)

    # -- sign-in throttling ----------------------------------------------------------------------

    def login_refused(self, keys: list[str]) -> bool:
        limit = self.settings.login_attempts
        now = time.monotonic()
        with self._failures_guard:
            for key in keys:
                recent = self._failures.get(key)
                while recent and now - recent[0] > LOGIN_WINDOW:
                    recent.popleft()
                if recent and len(recent) >= limit:
                    return True
        return False

    def login_failed(self, keys: list[str]) -> None:
        now = time.monotonic()
        with self._failures_guard:
            for key in keys:
                self._failures.setdefault(key, deque(maxlen=1000)).append(now)
            if len(self._failures) > 100_000:  # bounded memory under a flood of made-up names
                self._failures.clear()

    def login_succeeded(self, keys: list[str]) -> None:
        with self._failures_guard:
            for key in keys:
                self._failures.pop(key, None)

    # -- sessions signed out ----------------------------------------------------------------------

    def end_session(self, sid: str) -> None:
        """Refuse this session id from now on (a signed cookie copied before signing out included)."""
        now = time.monotonic()
        horizon = self.settings.session_hours * 3600
        with self._failures_guard:
            self._ended = {s: t for s, t in self._ended.items() if now - t < horizon}
            if len(self._ended) < 100_000:
                self._ended[sid] = now

    def session_ended(self, sid: str) -> bool:
        return sid in self._ended

    def close(self) -> None:
        self.jobs.close()
