"""Suspected false information (不实信息): cues that a post spreads an unchecked claim.

The flag does not decide truth. It tells the duty officer that a post carries the marks of a
rumour so that the facts are checked and, if false, referred to the police / cyberspace office
(seed 001 (七)3). Each cue family adds its weight once; the post is flagged at
``THRESHOLD``:

================  ======  ============================================================
family            weight  examples
================  ======  ============================================================
hearsay            0.6    听说, 据说, 网传, 传言, 朋友圈疯传, 群里都在传, 内部消息
amplification      0.6    转发, 求扩散, 紧急扩散, 不转不是中国人, 赶紧转
sensational        0.4    震惊, 重磅, 惊天, 爆炸性消息, 封锁消息, 捂着, 瞒报
asks_if_true       0.3    是真的吗, 真的假的, 有人知道真假吗, 求辟谣, 不知道是不是真的
alarm              0.3    伤亡惨重, 死伤无数, 局势失控, 人心惶惶
unverified_figure  0.5    a death / trapped / crowd figure of 10 or more told as hearsay
exclamations       0.2    "！！" or "!!!"
official_source   -0.7    据…通报, 官方通报, 警方通报, 新闻发布会, 应急管理局发布
debunk_notice     -1.0    辟谣：…, 系谣言, 不信谣不传谣 (the post is the correction)
================  ======  ============================================================
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Final

from classifier.figures import extract_figures

THRESHOLD: Final = 0.8
MODEL_VERSION: Final = "rumour-rules-1"

_CUES: Final[dict[str, tuple[float, str]]] = {
    "hearsay": (
        0.6,
        r"听说|据说|网传|网上传|传言|传闻|有人说|小道消息|内部消息|朋友圈(?:疯传|都在传|里传)|"
        r"群里(?:都在)?(?:传|说)|都在传|疯传|据知情人|知情人士透露|网上说",
    ),
    "amplification": (
        0.6,
        r"转发|扩散|速转|互相转告|不转不是中国人|转疯了|看到的(?:请)?转|赶紧转|马上转|广而告之|"
        r"让更多人知道",
    ),
    "sensational": (
        0.4,
        r"震惊|惊天|重磅|内幕|太可怕了|惊爆|爆料|绝密|千万别|删前速看|马上删|爆炸性消息|"
        r"封锁消息|捂着|瞒报|不让报道|不敢报道|官方不说",
    ),
    "asks_if_true": (
        0.3,
        r"是真的吗|是真是假|真的假的|知道真假|求证|是不是谣言|求辟谣|是不是真的|辟谣了吗|真的吗",
    ),
    "alarm": (0.3, r"伤亡惨重|死伤无数|死伤惨重|局势失控|人心惶惶|血流成河|尸横遍野"),
    "exclamations": (0.2, r"[！!]{2,}"),
    "official_source": (
        -0.7,
        r"据[^，。]{1,12}通报|官方通报|警方通报|情况通报|通报称|新闻发布会|发布会上|"
        r"(?:应急管理局|应急局|公安分局|公安局|卫健局|疾控中心|区政府|区委宣传部)(?:发布|通报|消息)|"
        r"新华社|人民日报|央视",
    ),
    "debunk_notice": (-1.0, r"辟谣[：:]|系谣言|纯属谣言|是谣言[，。！]|不信谣|不传谣|造谣者"),
}
_CUE_RES: Final = {name: (weight, re.compile(p)) for name, (weight, p) in _CUES.items()}
_HEARSAY_FIGURE_KINDS: Final = frozenset({"deaths", "missing", "trapped", "crowd", "endangered"})
_BIG_FIGURE: Final = 10.0
# one cheap scan: a post with none of these words cannot reach the threshold
_ANY_CUE_RE: Final = re.compile(
    "|".join(p for name, (w, p) in _CUES.items() if w > 0 and name != "exclamations")
)


@dataclass(frozen=True)
class RumourFlag:
    suspected: bool
    score: float
    evidence: dict[str, Any] = field(default_factory=dict)
    model_version: str = MODEL_VERSION


def assess_rumour(title: str, content: str) -> RumourFlag:
    """Flag a post that looks like an unchecked claim; the evidence names every cue found."""
    text = f"{title}。{content}" if title else content
    if _ANY_CUE_RE.search(text) is None:
        return RumourFlag(False, 0.0, {})
    score = 0.0
    cues: dict[str, list[str]] = {}
    for name, (weight, rx) in _CUE_RES.items():
        found = rx.findall(text)
        if found:
            cues[name] = sorted(set(found))
            score += weight
    if "hearsay" in cues and "official_source" not in cues:
        big = [
            f
            for f in extract_figures(text)
            if f.kind in _HEARSAY_FIGURE_KINDS and f.value >= _BIG_FIGURE
        ]
        if big:
            cues["unverified_figure"] = [f.span for f in big]
            score += 0.5
    score = round(max(score, 0.0), 2)
    evidence: dict[str, Any] = {"cues": cues, "threshold": THRESHOLD}
    if "debunk_notice" in cues:
        evidence["note"] = "the post corrects a rumour; the rumour itself may need following"
    return RumourFlag(score >= THRESHOLD, score, evidence)
