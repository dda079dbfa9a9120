"""Noise is told without the word 噪音 as often as with it: 扰民, 吵醒, 吵死了, 太吵. Each
reaches the 环保 department's 派单目录 entry in both sample jurisdictions; a quarrel does not."""

from __future__ import annotations

from pathlib import Path

import pytest

from domain.settings import load_settings
from response_sla.directory import Directory
from response_sla.routing import route

CONFIG = Path(__file__).resolve().parents[2] / "config"


@pytest.fixture(params=["yuqing.toml", "jianning.toml"])
def d(request: pytest.FixtureRequest) -> Directory:
    return Directory.from_jurisdiction(load_settings(CONFIG / request.param).jurisdiction)


def _env(d: Directory) -> str:
    return next(u.id for u in d.units() if "环境" in u.name and not u.is_local)


@pytest.mark.parametrize(
    "text",
    [
        "楼下新开的KTV每天唱到凌晨两点，吵死了，投诉了几次都没用",
        "对面酒吧的低音炮半夜还在响，一家老小天天被吵醒",
        "商场门口的大喇叭一天到晚循环播促销，严重扰民",
        "隔壁加工厂晚上机器一直转，太吵了根本睡不着",
    ],
)
def test_noise_without_the_word_reaches_the_environment_department(
    d: Directory, text: str
) -> None:
    x = route(d, title=text[:12], content=text, topic=None, severity="常规")
    assert _env(d) in (x.lead, *x.co_units), (text, x.lead, x.co_units)


def test_a_quarrel_is_no_noise(d: Directory) -> None:
    text = "两口子在楼道里吵架，吵得很凶，还摔东西"
    x = route(d, title="邻居吵架", content=text, topic=None, severity="常规")
    assert _env(d) not in (x.lead, *x.co_units)
