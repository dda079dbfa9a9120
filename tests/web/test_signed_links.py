"""The email link scheme shared by the sender and the dashboard."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from domain.settings import Settings
from yuqing.signed_links import secret_key, sign_token, unit_link, verify_link_token, verify_token


def test_unit_link_round_trip(web_settings: Settings) -> None:
    url = unit_link(web_settings, "jyj", 42)
    base = web_settings.web.base_url.rstrip("/")
    assert url.startswith(base + "/u/")
    token = url.removeprefix(base + "/u/")
    scope = verify_link_token(web_settings, token, datetime.now(UTC))
    assert scope is not None and (scope.unit_id, scope.event_id) == ("jyj", 42)


def test_expiry_and_tampering(web_settings: Settings) -> None:
    key = secret_key(web_settings)
    token = sign_token(key, "jyj", 1)
    now = datetime.now(UTC)
    week = timedelta(days=7)
    assert verify_token(key, token, now + week - timedelta(minutes=1), week) is not None
    assert verify_token(key, token, now + week + timedelta(minutes=1), week) is None
    assert verify_token(key, token, now - timedelta(hours=1), week) is None  # from the future
    assert verify_token("another key", token, now, week) is None
    # a changed signature character (not the last: its low bits may be padding)
    i = len(token) - 5
    assert (
        verify_token(key, token[:i] + ("A" if token[i] != "A" else "B") + token[i + 1 :], now, week)
        is None
    )
    assert verify_token(key, "", now, week) is None
    # a payload of the wrong shape, correctly signed, is refused
    from itsdangerous import URLSafeTimedSerializer

    odd = URLSafeTimedSerializer(key, salt="unit-link").dumps({"u": "jyj", "e": "1"})
    assert verify_token(key, odd, now, week) is None


def test_generated_key_is_stable_and_private(settings: Settings, tmp_path: Path) -> None:
    assert settings.web.secret_key == ""
    first = secret_key(settings)
    assert len(first) >= 40 and secret_key(settings) == first
    path = Path(settings.var_dir) / "secret_key"
    assert path.stat().st_mode & 0o777 == 0o600
