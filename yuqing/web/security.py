"""Passwords and their policy, server-side sessions, CSRF tokens, login throttling, the
client's address and the session secret."""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import secrets
import threading
from collections import deque
from collections.abc import MutableMapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from domain.settings import Settings
from storage import models
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


# ---------------------------------------------------------------- password policy

_COMMON = frozenset({"password", "12345678", "123456789", "1234567890", "qwertyui", "11111111",
                     "88888888", "abc12345", "password1", "iloveyou", "admin123", "woaini1314"})


def password_problem(password: str, username: str = "", min_score: int = 3) -> str | None:
    """Why ``password`` may not be set for ``username``; None when it may. Checked wherever a
    password is set: at least 8 characters, not the username nor built on it, not a common
    password or one repeated character, and a zxcvbn strength estimate of ``min_score``."""
    from zxcvbn import zxcvbn  # loads its dictionaries: only when a password is set

    if len(password) < 8:
        return "the password must have at least 8 characters"
    if len(password) > 1024:
        return "the password must have at most 1024 characters"
    lowered = password.lower()
    name = username.lower()
    if name and (lowered == name or (len(name) >= 3 and name in lowered)):
        return "the password must not contain the username"
    if len(set(password)) <= 2:
        return "the password must not be one or two repeated characters"
    if lowered in _COMMON:
        return "the password is one of the most common passwords"
    inputs = [username] if username else []
    score = int(zxcvbn(password[:100], user_inputs=inputs)["score"])
    if score < min_score:
        return (
            f"the password is too easy to guess (strength {score} of 4, at least {min_score} "
            "needed): use a longer phrase of unrelated words"
        )
    return None


# ---------------------------------------------------------------- server-side sessions

SESSION_KEY = "sid"  # the cookie's field holding the session's token


def token_id(token: str) -> str:
    """What the database keeps of a token: its SHA-256, never the token itself."""
    return hashlib.sha256(token.encode()).hexdigest()


def open_session(session: Session, user_id: int, now: datetime, ip: str | None) -> str:
    """A new login session row; returns the token for the cookie."""
    token = secrets.token_urlsafe(32)
    session.add(
        models.LoginSession(
            id=token_id(token), user_id=user_id, created_at=now, last_seen_at=now, ip=ip
        )
    )
    return token


def revoke_session(session: Session, token: object, now: datetime, reason: str) -> None:
    if isinstance(token, str) and token:
        session.execute(
            update(models.LoginSession)
            .where(models.LoginSession.id == token_id(token),
                   models.LoginSession.revoked_at.is_(None))
            .values(revoked_at=now, revoked_reason=reason)
        )


def revoke_user_sessions(session: Session, user_id: int, now: datetime, reason: str) -> int:
    """End every open session of a user at once (password reset, account disabled)."""
    result = session.execute(
        update(models.LoginSession)
        .where(models.LoginSession.user_id == user_id, models.LoginSession.revoked_at.is_(None))
        .values(revoked_at=now, revoked_reason=reason)
    )
    return int(getattr(result, "rowcount", 0) or 0)


def known_address(session: Session, username: str, ip: str, now: datetime) -> bool:
    """The account has signed in from ``ip`` in the last 30 days."""
    S, U = models.LoginSession, models.User
    found = session.scalar(
        select(S.id)
        .join(U, U.id == S.user_id)
        .where(U.username == username, S.ip == ip, S.created_at >= now - timedelta(days=30))
        .limit(1)
    )
    return found is not None


# ---------------------------------------------------------------- the client's address


def client_address(
    peer: str | None, forwarded_for: str | None, trusted_proxies: Sequence[str]
) -> str:
    """The client's address: the connecting peer, unless the peer is a trusted proxy; then the
    right-most address of ``X-Forwarded-For`` that is not itself a trusted proxy (entries to
    its left are whatever the client chose to send)."""
    if not peer:
        return "-"
    networks = _networks(tuple(trusted_proxies))
    if not networks or not _in(peer, networks) or not forwarded_for:
        return peer
    hops = [h.strip() for h in forwarded_for.split(",") if h.strip()]
    for hop in reversed(hops):
        try:
            ipaddress.ip_address(hop)
        except ValueError:
            return peer  # a malformed header: believe only the proxy itself
        if not _in(hop, networks):
            return hop
    return hops[0] if hops else peer


_NET_CACHE: dict[tuple[str, ...], tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...]] = {}


def _networks(
    entries: tuple[str, ...],
) -> tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...]:
    if entries not in _NET_CACHE:
        _NET_CACHE[entries] = tuple(ipaddress.ip_network(e.strip(), strict=False) for e in entries)
    return _NET_CACHE[entries]


def _in(
    address: str, networks: tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...]
) -> bool:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip in n for n in networks)


# ---------------------------------------------------------------- CSRF

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


@dataclass(frozen=True)
class Attempt:
    """A login attempt holding its place in the limiter until ``LoginLimiter.finish``."""

    account: tuple[str, str]
    address: str
    everywhere: tuple[str]  # the account, from any address

    @property
    def keys(self) -> tuple[object, ...]:
        return (self.account, self.address, self.everywhere)


class LoginLimiter:
    """Failed logins in a sliding window, per (account, address), per address and per account.

    - An address that failed ``max_failures`` times for one account may not try that account
      again until the window has passed: the owner at another desk is not locked out.
    - An address that failed ``per_address`` times, whatever the accounts, may try only the
      accounts that have signed in from it before (``known``): spraying usernames from one
      address stops, and the colleagues who share that address (an office behind one NAT or
      proxy) keep signing in.
    - An account that failed ``per_address`` times from any addresses (guessing spread over
      many machines) may be tried only from addresses it has signed in from before.

    A slot is taken *before* the password is checked (``begin``) and given back by ``finish``,
    all under one lock: forty wrong passwords sent at once get ``max_failures`` guesses, not
    as many as arrive before the first one fails. Kept in memory: the dashboard runs as one
    process, and a restart forgiving a few failures is acceptable.
    """

    def __init__(
        self,
        max_failures: int = 5,
        window: timedelta = timedelta(minutes=15),
        per_address: int = 20,
    ) -> None:
        self.max_failures = max_failures
        self.per_address = per_address
        self.window = window
        self._failures: dict[object, deque[datetime]] = {}
        self._pending: dict[object, int] = {}
        self._lock = threading.Lock()

    def _count(self, key: object, now: datetime) -> int:
        q = self._failures.get(key)
        if q is not None:
            while q and now - q[0] >= self.window:
                q.popleft()
            if not q:
                del self._failures[key]
        return (len(q) if q else 0) + self._pending.get(key, 0)

    def begin(self, username: str, ip: str, now: datetime, *, known: bool = False) -> Attempt | None:
        """A slot for one password check, or None while the account or address is blocked."""
        name = username.lower()
        attempt = Attempt((name, ip), ip, (name,))
        with self._lock:
            if self._count(attempt.account, now) >= self.max_failures:
                return None
            if not known and (
                self._count(attempt.address, now) >= self.per_address
                or self._count(attempt.everywhere, now) >= self.per_address
            ):
                return None
            for key in attempt.keys:
                self._pending[key] = self._pending.get(key, 0) + 1
        return attempt

    def finish(self, attempt: Attempt, ok: bool, now: datetime) -> bool:
        """Record the outcome; True when this failure is the one that blocks the account."""
        with self._lock:
            for key in attempt.keys:
                left = self._pending.get(key, 0) - 1
                if left > 0:
                    self._pending[key] = left
                else:
                    self._pending.pop(key, None)
            if ok:
                self._failures.pop(attempt.account, None)
                return False
            for key in attempt.keys:
                self._failures.setdefault(key, deque()).append(now)
            return len(self._failures[attempt.account]) == self.max_failures

    def blocked(self, username: str, ip: str, now: datetime) -> bool:
        with self._lock:
            return self._count((username.lower(), ip), now) >= self.max_failures


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
