"""Signed links in assignment emails: open one unit's case for one event without logging in.

Scheme: itsdangerous ``URLSafeTimedSerializer(secret_key, salt="unit-link")`` over
``{"u": unit_id, "e": event_id, "a": assignment_id}``; the URL is ``{base_url}/u/{token}``; a
link is valid for ``web.signed_link_days``, and only while its assignment is the unit's (a
reassignment away ends it for good; a merge that carries the assignment keeps it). Closing or
returning the case through a link spends it (``storage.models.LinkUse``). The key is ``web.secret_key``, or the one generated once into
``var_dir/secret_key`` when the setting is empty, so the email sender and the dashboard agree.
"""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from itsdangerous import BadSignature, URLSafeTimedSerializer

from domain.settings import Settings

SALT = "unit-link"
CLOCK_SKEW = timedelta(minutes=5)


@dataclass(frozen=True)
class LinkScope:
    unit_id: str
    event_id: int
    assignment_id: int | None = None  # None: a link made before links were bound
    signed_at: datetime | None = None  # binds such a link to the assignment held then


def secret_key(settings: Settings) -> str:
    """The configured key, or one generated once into ``var_dir/secret_key`` (mode 0600)."""
    if settings.web.secret_key:
        return settings.web.secret_key
    path = Path(settings.var_dir) / "secret_key"
    if path.exists():
        key = path.read_text(encoding="ascii").strip()
        if key:
            return key
    path.parent.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(48)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:  # another process won the race: use its key
        return path.read_text(encoding="ascii").strip()
    with os.fdopen(fd, "w", encoding="ascii") as fh:
        fh.write(key + "\n")
    return key


def _serializer(key: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(key, salt=SALT)


def sign_token(key: str, unit_id: str, event_id: int, assignment_id: int | None = None) -> str:
    payload: dict[str, object] = {"u": unit_id, "e": event_id}
    if assignment_id is not None:
        payload["a"] = assignment_id
    return _serializer(key).dumps(payload)


def unit_link(
    settings: Settings, unit_id: str, event_id: int, assignment_id: int | None = None
) -> str:
    """The URL to put in the assignment email for ``unit_id``'s part in ``event_id``, bound to
    the assignment ``assignment_id``."""
    token = sign_token(secret_key(settings), unit_id, event_id, assignment_id)
    return f"{settings.web.base_url.rstrip('/')}/u/{token}"


def verify_token(key: str, token: str, now: datetime, max_age: timedelta) -> LinkScope | None:
    """The scope of a genuine, unexpired token; None for anything else. Expiry is judged by
    the caller's clock."""
    if not token or len(token) > 500:
        return None
    try:
        payload, signed_at = _serializer(key).loads(token, return_timestamp=True)
    except (BadSignature, ValueError, TypeError):
        return None
    signed = signed_at if signed_at.tzinfo else signed_at.replace(tzinfo=UTC)
    if now - signed > max_age or signed - now > CLOCK_SKEW:
        return None
    if not isinstance(payload, dict):
        return None
    unit, event, bound = payload.get("u"), payload.get("e"), payload.get("a")
    if not isinstance(unit, str) or not isinstance(event, int) or isinstance(event, bool):
        return None
    if bound is not None and (not isinstance(bound, int) or isinstance(bound, bool)):
        return None
    return LinkScope(unit, event, bound, signed)


def link_expired(key: str, token: str, now: datetime, max_age: timedelta) -> bool:
    """A genuine token whose time is up (for telling the reader why the link no longer works)."""
    if not token or len(token) > 500:
        return False
    try:
        _serializer(key).loads(token)
    except BadSignature:
        return False
    except (ValueError, TypeError):
        return False
    return verify_token(key, token, now, max_age) is None


def verify_link_token(settings: Settings, token: str, now: datetime) -> LinkScope | None:
    return verify_token(
        secret_key(settings), token, now, timedelta(days=settings.web.signed_link_days)
    )
