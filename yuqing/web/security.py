"""Passwords, CSRF tokens, login throttling and the session secret."""

from __future__ import annotations

import hmac
import secrets
import threading
from collections import deque
from collections.abc import MutableMapping
from datetime import datetime, timedelta
from typing import Any

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from domain.settings import Settings
from yuqing.signed_links import secret_key

_hasher = PasswordHasher()

# A fixed hash verified when the user does not exist, so that a wrong username takes as long
# as a wrong password and the response time does not tell which usernames exist.
_DUMMY_HASH = _hasher.hash("not-a-real-password")


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(stored_hash: str | None, password: str) -> bool:
    try:
        return _hasher.verify(stored_hash or _DUMMY_HASH, password) and stored_hash is not None
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


CSRF_FIELD = "csrf_token"


def csrf_token(session: MutableMapping[str, Any]) -> str:
    token = session.get("csrf")
    if not isinstance(token, str) or len(token) < 32:
        token = secrets.token_urlsafe(32)
        session["csrf"] = token
    return token


def csrf_ok(session: MutableMapping[str, Any], submitted: object) -> bool:
    expected = session.get("csrf")
    if not isinstance(expected, str) or not isinstance(submitted, str) or not submitted:
        return False
    return hmac.compare_digest(expected.encode(), submitted.encode())


class LoginLimiter:
    """Failed logins per (username, IP) in a sliding window; blocked at ``max_failures``.

    Kept in memory: the dashboard runs as one process, and a restart forgiving a few failures
    is acceptable. Keys are per username *and* IP so one attacker cannot lock a colleague out
    from every machine.
    """

    def __init__(self, max_failures: int = 5, window: timedelta = timedelta(minutes=15)) -> None:
        self.max_failures = max_failures
        self.window = window
        self._failures: dict[tuple[str, str], deque[datetime]] = {}
        self._lock = threading.Lock()

    def _recent(self, key: tuple[str, str], now: datetime) -> deque[datetime]:
        q = self._failures.setdefault(key, deque())
        while q and now - q[0] >= self.window:
            q.popleft()
        return q

    def blocked(self, username: str, ip: str, now: datetime) -> bool:
        with self._lock:
            return len(self._recent((username.lower(), ip), now)) >= self.max_failures

    def failed(self, username: str, ip: str, now: datetime) -> None:
        with self._lock:
            self._recent((username.lower(), ip), now).append(now)

    def succeeded(self, username: str, ip: str) -> None:
        with self._lock:
            self._failures.pop((username.lower(), ip), None)


def resolve_secret_key(settings: Settings) -> str:
    """Sessions and email links are signed with the same key (see ``yuqing.signed_links``)."""
    return secret_key(settings)


def safe_next(target: str | None) -> str:
    """Only same-site paths: ``//evil.example`` or ``https://…`` would be an open redirect."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return "/"
    return target


def session_marker(secret_key: str, password_hash: str) -> str:
    """Stored in the (signed, readable) session cookie: changing the password or the key ends
    every session, and nothing of the hash itself reaches the browser."""
    return hmac.new(secret_key.encode(), password_hash.encode(), "sha256").hexdigest()[:24]
