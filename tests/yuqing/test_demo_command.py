"""`yuqing demo --port`: the emails' links lead where the dashboard answers."""

from __future__ import annotations

from domain.settings import Settings
from yuqing.commands.service import dashboard_url


def _with_base(settings: Settings, base: str) -> Settings:
    return settings.model_copy(
        update={"web": settings.web.model_copy(update={"base_url": base})}
    )


def test_port_moves_a_loopback_base_url(settings: Settings) -> None:
    local = _with_base(settings, "http://127.0.0.1:8000/")
    assert dashboard_url(local, None) == "http://127.0.0.1:8000"
    assert dashboard_url(local, 8770) == "http://127.0.0.1:8770"
    named = _with_base(settings, "http://localhost:8000/yuqing")
    assert dashboard_url(named, 8770) == "http://localhost:8770/yuqing"
    assert dashboard_url(_with_base(settings, "http://[::1]:8000"), 8770) == "http://[::1]:8770"


def test_a_public_base_url_is_kept(settings: Settings) -> None:
    public = _with_base(settings, "https://yuqing.qxg.example")
    assert dashboard_url(public, 8770) == "https://yuqing.qxg.example"
