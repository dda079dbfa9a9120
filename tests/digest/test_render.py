"""The rendered digest: figures in the HTML and text, the email's parts, the chart."""

from __future__ import annotations

import base64
import email
import email.policy
import io
import os
import re
import warnings
from email.message import EmailMessage
from pathlib import Path

import pytest
from matplotlib import font_manager
from matplotlib.ft2font import FT2Font
from PIL import Image, ImageChops
from sqlalchemy.orm import Session, sessionmaker

from domain.settings import Settings
from storage import models
from storage.enums import Severity
from tests.digest import dataset
from tests.digest.conftest import Built
from tests.digest.htmltables import parse
from yuqing.bootstrap import sync_directory
from yuqing.digest import chart
from yuqing.digest.render import build_digest_email, render_digest_html_file, week_figures

IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")


def test_html_carries_the_figures(built: Built, settings: Settings) -> None:
    with built.sessions() as s:
        mail = build_digest_email(settings, s, dataset.WEEK)
    assert mail.subject == "【每周舆情处置督办通报】七星关区 2026年第47周（11月16日—11月22日）"
    tables, ids = parse(mail.html)
    assert ids["kpi-posts"] == "14" and ids["kpi-events"] == "6"
    assert (ids["kpi-breaches"], ids["kpi-escalations"], ids["kpi-overdue"]) == ("4", "3", "3")
    assert (ids["kpi-ack"], ids["kpi-respond"], ids["kpi-close"]) == ("71.4%", "60.0%", "—")
    assert (ids["kpi-returns"], ids["kpi-extensions"]) == ("1", "1")
    assert ["交通运输", "4", "1"] in tables["by-topic"]
    assert tables["by-severity"][2] == ["新增事件", "0", "1", "1", "2", "2"]

    breaches = tables["breaches"][1:]
    assert len(breaches) == 5
    e3 = breaches[1]
    assert e3[1:] == [
        "区交通局",
        "召开新闻发布会",
        "11月20日 14:00",
        "2 天 10 小时",
        "超期未完成",
        "三级：通报宣传部、政府办",
    ]
    assert breaches[0][0].endswith("老旧小区加装电梯进展缓慢")
    assert breaches[0][5] == "超期未完成（前期超期）"
    assert breaches[2][1:5] == ["区教育局", "予以回应", "11月19日 08:00", "36.0 小时"]

    units = {row[0]: row[1:] for row in tables["units"][1:]}
    assert units["区教育局"] == ["1", "100.0% (1/1)", "0.0% (0/1)", "—", "2", "0", "0", "84.0"]
    assert units["区交通局"][2] == "50.0% (1/2)"
    assert units["区住建局"][5:] == ["0", "1", "24.0"]
    assert units["合计"] == ["7", "71.4%", "60.0%", "—", "4", "1", "1", "23.5"]
    assert ids["below-bar"].count("：") == 4 and "区应急局：签收率 0.0%（0/1）" in ids["below-bar"]

    trend = tables["trend"]
    assert trend[0][1:] == [f"2026-W{n}" for n in range(40, 48)]
    assert trend[2][-2:] == ["0.0%", "60.0%"] and trend[4][-2:] == ["1", "6"]

    due = tables["coming-due"][1:]
    assert [row[0] for row in due] == ["11月23日 20:00", "11月24日 12:00", "11月25日 18:00"]
    assert due[2][3:] == ["区民政局", "办结", "2 天 18 小时"]


def test_personal_data_is_masked_and_text_escaped(built: Built, settings: Settings) -> None:
    with built.sessions() as s:
        mail = build_digest_email(settings, s, dataset.WEEK)
    csv_text = mail.attachments[1][3].decode("utf-8-sig")
    for body in (mail.html, mail.text, csv_text):
        assert "13812345678" not in body
    assert "城南小区污水外溢 联系电话" in csv_text  # masked the masker's way
    # a hostile title stays text
    assert '"http://evil.example"' not in mail.html and "&#34;http://evil.example&#34;" in mail.html


def test_hostile_title_is_escaped_in_html_and_kept_in_text(
    built: Built, settings: Settings
) -> None:
    title = '<script>alert("x")</script> & 主干道"路面"塌陷'
    with built.sessions.begin() as s:
        event = s.get(models.Event, built.ids["e3"])
        assert event is not None
        event.title = title
    with built.sessions() as s:
        mail = build_digest_email(settings, s, dataset.WEEK)
    assert "<script>" not in mail.html
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt; &amp; 主干道&#34;路面&#34;塌陷" in mail.html
    assert title in mail.text  # in its list of late windows, as posted
    assert "&lt;" not in mail.text and "&#34;" not in mail.text and "&amp;" not in mail.text


def test_text_part(built: Built, settings: Settings) -> None:
    with built.sessions() as s:
        text = build_digest_email(settings, s, dataset.WEEK).text
    assert "新增帖文 14 条，新增舆情事件 6 个；本周超期 4 个，升级督办 3 个" in text
    assert "签收率 71.4%（5/7），按时回应率 60.0%（3/5）" in text
    assert "区交通局，召开新闻发布会，截止 11月20日 14:00，超期 2 天 10 小时" in text
    assert "- 区应急局：签收率 0.0%（0/1）" in text
    assert "2026-W47：71.4% / 60.0% / — / 6 / 4" in text
    assert "<td" not in text and "&#" not in text


def test_email_parts_fit_together(built: Built, settings: Settings) -> None:
    """The contract with the sender: the HTML names each inline image by its cid."""
    with built.sessions() as s:
        mail = build_digest_email(settings, s, dataset.WEEK)
    ((cid, png, subtype),) = mail.inline_images
    assert subtype == "png" and f'src="cid:{cid}"' in mail.html and "data:" not in mail.html
    names = [a[0] for a in mail.attachments]
    assert names == ["七星关区舆情处置台账-2026-W47.xlsx", "七星关区舆情处置台账-2026-W47.csv"]
    assert mail.attachments[0][1:3] == (
        "application",
        "vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    assert mail.attachments[1][1:3] == ("text", "csv")

    msg = EmailMessage()
    msg["Subject"] = mail.subject
    msg.set_content(mail.text)
    msg.add_alternative(mail.html, subtype="html")
    html_part = msg.get_body(("html",))
    assert isinstance(html_part, EmailMessage)
    html_part.add_related(png, "image", subtype, cid=f"<{cid}>")
    for name, maintype, sub, data in mail.attachments:
        msg.add_attachment(data, maintype=maintype, subtype=sub, filename=name)
    back = email.message_from_bytes(msg.as_bytes(), policy=email.policy.default)
    assert back["Subject"] == mail.subject
    images = [p for p in back.walk() if p.get_content_type() == "image/png"]
    assert images[0]["Content-ID"] == f"<{cid}>" and images[0].get_content() == png


def test_html_file_inlines_the_chart(built: Built, settings: Settings, tmp_path: Path) -> None:
    out = tmp_path / "digest.html"
    with built.sessions() as s:
        render_digest_html_file(settings, s, dataset.WEEK, out)
        png = build_digest_email(settings, s, dataset.WEEK).inline_images[0][1]
    html = out.read_text(encoding="utf-8")
    m = re.search(r'src="data:image/png;base64,([A-Za-z0-9+/=]+)"', html)
    assert m is not None and base64.b64decode(m.group(1)) == png
    assert parse(html)[1]["kpi-posts"] == "14"


# every Chinese word the chart draws: its title, axis label and legend
CHART_WORDS = ("近8周处置时效趋势", "超期件数", "签收率", "按时回应率", "按时办结率", "达标线")


def _png(data: bytes) -> Image.Image:
    """The PNG decoded, after checking its structure and every chunk's checksum."""
    Image.open(io.BytesIO(data)).verify()
    image = Image.open(io.BytesIO(data))
    image.load()
    assert image.format == "PNG"
    return image


def test_chart_is_a_png_drawn_with_a_cjk_font(built: Built, settings: Settings) -> None:
    """What holds whatever matplotlib's version: a valid PNG of the figure's size, every Chinese
    character drawn from a font that has it, and the week's figures drawn at all. (Its byte
    size, compression and anti-aliasing are matplotlib's business.)"""
    family = chart.cjk_font()
    if family is None:
        if IN_CI:
            pytest.fail("no CJK font installed (make test installs fonts-wqy-microhei)")
        pytest.skip("no CJK font installed")
    path = font_manager.findfont(
        font_manager.FontProperties(family=family), fallback_to_default=False
    )
    assert Path(path) == Path(chart.cjk_font_file() or "")
    font = FT2Font(path)
    missing = {ch for word in CHART_WORDS for ch in word if font.get_char_index(ord(ch)) == 0}
    assert not missing, f"{family} lacks {sorted(missing)}"
    with built.sessions() as s:
        figures = week_figures(settings, s, dataset.WEEK)
    with warnings.catch_warnings():
        # matplotlib warns "Glyph … missing from font(s)" for every character it cannot draw
        warnings.simplefilter("error")
        png = chart.trend_png(figures.trend, figures.bar)
        empty = chart.trend_png([], figures.bar)
    image = _png(png)
    assert image.size == (
        round(chart.WIDTH_IN * chart.DPI),
        round(chart.HEIGHT_IN * chart.DPI),
    ) == (880, 396)
    # the title is drawn above the plot: its band is not blank
    band = image.convert("L").crop((0, 0, image.width, image.height // 10))
    assert band.getextrema()[0] < 128
    # the figures are drawn: the chart differs from one with no data at all
    assert ImageChops.difference(image.convert("RGB"), _png(empty).convert("RGB")).getbbox()


def test_a_quiet_week(sqlite_sessions: sessionmaker[Session], settings: Settings) -> None:
    with sqlite_sessions.begin() as s:
        sync_directory(s, settings)
    with sqlite_sessions() as s:
        mail = build_digest_email(settings, s, "2026-W02")
    tables, ids = parse(mail.html)
    assert ids["kpi-posts"] == "0" and ids["kpi-respond"] == "—"
    assert "breaches-none" in ids and "coming-due-none" in ids and "below-bar-none" in ids
    assert _png(mail.inline_images[0][1]).size == (880, 396)
    assert "本周没有超期的时限。" in mail.text


def test_a_deadline_that_ends_a_day_reads_24_00(built: Built, settings: Settings) -> None:
    """A 办结 window ending with Thursday 26 November is due at 11月26日 24:00 in both parts,
    never at 11月27日 00:00."""
    with built.sessions.begin() as s:
        ev = dataset.event(
            s, "某小区电梯停运", "城乡建设", Severity.GENERAL, dataset.L(19, 9)
        )
        dataset.post(s, ev, dataset.L(19, 9), "投诉/求助")
        a = dataset.assign(s, ev, "zjj", dataset.L(19, 10), acked=dataset.L(19, 11))
        dataset.clock(s, ev, "resolve", dataset.L(19, 10), dataset.L(27), unit="zjj", assignment=a)
    with built.sessions() as s:
        mail = build_digest_email(settings, s, dataset.WEEK)
    for part in (mail.text, mail.html):
        assert "11月26日 24:00" in part
        assert "11月27日 00:00" not in part and "11-27 00:00" not in part
