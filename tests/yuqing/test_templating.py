"""One environment for HTML, one for plain text, shared by the dashboard, emails and digest."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from yuqing.templating import TEMPLATE_DIRS, html_environment, text_environment

HOSTILE = '<script>alert("x")</script> & 某"路"段'


def test_each_environment_is_built_once() -> None:
    assert html_environment() is html_environment()
    assert text_environment() is text_environment()
    assert html_environment() is not text_environment()


def test_every_template_compiles_in_its_environment() -> None:
    names = html_environment().list_templates()
    assert {n.split("/")[0] for n in names} == set(TEMPLATE_DIRS)
    for name in names:
        env = text_environment() if name.endswith(".txt") else html_environment()
        env.get_template(name)


def test_html_escapes_and_text_keeps_values() -> None:
    source = "{{ title }}"
    assert html_environment().from_string(source).render(title=HOSTILE) == (
        "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt; &amp; 某&#34;路&#34;段"
    )
    assert text_environment().from_string(source).render(title=HOSTILE) == HOSTILE


def test_an_html_template_stays_escaped_in_the_text_environment() -> None:
    """Picking the wrong environment for an HTML template must not unescape it."""
    text = text_environment()
    assert callable(text.autoescape)
    assert text.autoescape("notify/_layout.html") and text.autoescape("digest/digest.html")
    assert not text.autoescape("notify/assignment.txt") and not text.autoescape("digest/digest.txt")


def test_times_are_shown_in_the_readers_zone() -> None:
    moment = datetime(2026, 11, 20, 4, 0, tzinfo=UTC)
    template = html_environment().from_string("{{ at|dt }} {{ at|dt('%H:%M') }}")
    shanghai = ZoneInfo("Asia/Shanghai")
    assert template.render(at=moment, tz=shanghai) == "2026-11-20 12:00 12:00"
    with pytest.raises(TypeError, match="tz="):
        template.render(at=moment)
