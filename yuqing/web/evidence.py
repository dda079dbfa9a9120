"""A label's evidence as a duty officer reads it: one Chinese sentence to check, and the full
detail, every key and value in Chinese, for whoever opens the disclosure.

The classifier writes its evidence as JSON (``classifier.analyze``); the keys and the cue and
figure names are the classifier's own. Anything this module does not know is shown as written,
so a new kind of evidence is never hidden, only less polished.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Final

from classifier.candidates import CUE_LABELS, cue_label
from classifier.incidents import FIGURE_LABELS
from domain.vocabulary import RUMOUR_CLEAR, RUMOUR_FLAG
from storage import models

KIND_LABELS: Final[dict[str, str]] = {
    "topic": "领域",
    "handling": "处置方式",
    "severity": "级别",
    "rumour": "不实信息",
}

# the evidence's keys, as the detail names them
KEY_LABELS: Final[dict[str, str]] = {
    "terms": "关键词",
    "term": "词",
    "type": "类型",
    "strength": "强度",
    "runner_up": "次选",
    "label": "标签",
    "score": "得分",
    "cues": "提示词",
    "figures": "数字",
    "kind": "种类",
    "value": "数值",
    "approximate": "约数",
    "text": "原文",
    "note": "说明",
    "negated": "否定",
    "heat": "热度",
    "type_scores": "各类型得分",
    "plan": "分级依据",
    "base_level": "按数字定级",
    "measures": "分级测算",
    "level": "级别",
    "rule": "规则",
    "basis": "条款",
    "figure": "数字",
    "clause": "原句",
    "raised_by": "上调原因",
    "rules": "命中规则",
    "emergency_type": "突发事件类型",
    "posts": "帖子数",
    "levels": "各帖级别",
    "top_post": "级别最高的帖子",
    "crowd_words": "聚集词",
    "suppressed_by": "未按数字定级的原因",
    "candidate_level": "可能达到的级别",
    "candidate_cues": "待核实线索",
    "candidate_type": "可能的事件类型",
    "verification": "待核实原因",
    "threshold": "提示阈值",
    "candidate": "疑似级别",
    "severity": "当时级别",
    "previous": "原标签",
    "突发事件": "突发事件",
}

STRENGTH_LABELS: Final[dict[str, str]] = {"strong": "强", "weak": "弱", "crowd": "聚集"}

# the rumour rules' cue families (classifier.rumour)
RUMOUR_CUES: Final[dict[str, str]] = {
    "hearsay": "传闻",
    "amplification": "求扩散",
    "sensational": "耸动用语",
    "asks_if_true": "询问真假",
    "alarm": "渲染恐慌",
    "unverified_figure": "未经证实的伤亡数字",
    "exclamations": "连串感叹号",
    "official_source": "引用官方来源",
    "debunk_notice": "辟谣声明",
}

# the grading tables (classifier/grading.toml), by the name the evidence carries
GRADING_KINDS: Final[dict[str, str]] = {
    "production_safety": "生产安全事故",
    "earthquake": "地震灾害",
    "geological": "地质灾害",
    "forest_fire": "森林火灾",
    "natural_other": "洪涝、气象及其他自然灾害",
    "food_poisoning": "食品安全事故",
    "public_health": "公共卫生事件",
    "crowd": "群体性事件",
    "social_other": "其他社会安全事件",
}

_VALUE_LABELS: Final[dict[str, str]] = {
    **STRENGTH_LABELS,
    **FIGURE_LABELS,
    **RUMOUR_CUES,
    **GRADING_KINDS,
    "true": "是",
    "false": "否",
}
_CUE_LISTS: Final = frozenset({"candidate_cues", "verification", "cues"})  # "claim: …" in words
_NESTED: Final = frozenset({"top_post", "verification"})  # listed part by part
_HIDDEN: Final = frozenset({"post_id"})  # an id; the page names the post
_PUNCT = re.compile(r"[，。、；：！？,.;:!?\s]")
_RULE = re.compile(r"(.*?→\s*\S+?)（")  # "死亡（含失踪） 15 ≥ 10 → 重大", without its citation


def _plan(evidence: Mapping[str, Any]) -> str:
    """The document a grade cites, in its Chinese part (a local note after ";" is left out)."""
    plan = str(evidence.get("plan") or "").split(";")[0].strip()
    return plan if plan.startswith("《") else ""


def _terms(evidence: Mapping[str, Any], limit: int = 6) -> list[str]:
    out: list[str] = []
    for t in evidence.get("terms") or ():
        word = t.get("term") if isinstance(t, Mapping) else t
        if isinstance(word, str) and word and not _PUNCT.search(word) and word not in out:
            out.append(word)
    return out[:limit]


def _runner_up(evidence: Mapping[str, Any]) -> str:
    r = evidence.get("runner_up")
    if isinstance(r, Mapping) and r.get("label"):
        score = r.get("score")
        return f"次选{r['label']}" + (f"（{score:.2f}）" if isinstance(score, int | float) else "")
    return ""


def _severity(label: str, ev: Mapping[str, Any]) -> str:
    parts: list[str] = []
    top = ev.get("top_post")
    if isinstance(top, Mapping):
        levels = ev.get("levels") or {}
        spread = "、".join(f"{k} {v} 条" for k, v in levels.items()) if levels else ""
        parts.append(f"综合 {ev.get('posts', '')} 条帖子{f'（{spread}）' if spread else ''}，取最高者")
        ev = {**top, "raised_by": ev.get("raised_by") or top.get("raised_by") or []}
    measures = [m for m in ev.get("measures") or () if isinstance(m, Mapping)]
    chosen = [m for m in measures if m.get("level") == label] or measures[:1]
    for m in chosen[:2]:
        rule = str(m.get("rule") or "")
        short = _RULE.match(rule)
        rule = short.group(1) if short else rule
        quote = m.get("clause") or m.get("figure")
        text = rule or str(m.get("basis") or "")
        if quote:
            text += f"（“{quote}”）"
        parts.append(text)
    plan = _plan(ev)
    if chosen and plan:
        parts[-1] += f"，依据{plan}"
    for r in ev.get("raised_by") or ():
        parts.append(f"上调：{_value(r)}")
    if ev.get("candidate_level"):
        cues = "；".join(cue_label(str(c)) for c in ev.get("candidate_cues") or ())
        parts.append(
            f"帖中数字可能达到{ev['candidate_level']}，但未据此定级，待核实" + (f"：{cues}" if cues else "")
        )
    if not parts:
        words = _terms(ev)
        if label == "常规":
            parts.append("未发现突发事件的关键词或伤亡数字")
        elif words:
            parts.append("关键词：" + "、".join(words))
    heat = ev.get("heat")
    if isinstance(heat, int | float):
        parts.append(f"热度 {heat:.1f}")
    return "；".join(parts)


def _topic(label: str, ev: Mapping[str, Any]) -> str:
    words = _terms(ev)
    text = "关键词：" + "、".join(words) if words else "无明显关键词"
    runner = _runner_up(ev)
    return text + (f"；{runner}" if runner else "")


def _handling(label: str, ev: Mapping[str, Any]) -> str:
    if "突发事件" in ev:
        return f"突发事件：{ev['突发事件']}"
    cues = ev.get("cues") or {}
    hits = "；".join(
        f"{kind}：{'、'.join(map(str, words))}" for kind, words in cues.items() if words
    )
    words = _terms(ev)
    text = f"提示词 {hits}" if hits else ("关键词：" + "、".join(words) if words else "")
    runner = _runner_up(ev)
    return "；".join(x for x in (text, runner) if x)


def _rumour(label: str, ev: Mapping[str, Any]) -> str:
    cues = ev.get("cues") or {}
    hits = "；".join(
        f"{RUMOUR_CUES.get(k, k)}：{'、'.join(map(str, v))}" for k, v in cues.items() if v
    )
    if label == RUMOUR_CLEAR:
        return "未发现不实信息的迹象"
    return f"提示词 {hits}" if hits else "无提示词"


_SENTENCES = {"severity": _severity, "topic": _topic, "handling": _handling, "rumour": _rumour}


def rumour_text(label: str | None) -> str:
    """The 不实信息 label as a fact line reads: "疑似不实信息" or "未发现"."""
    if label == RUMOUR_FLAG:
        return "疑似不实信息"
    return "未发现" if label == RUMOUR_CLEAR else (label or "")


def sentence(kind: str, label: str, evidence: Mapping[str, Any] | None) -> str:
    """The one line a duty officer checks, e.g. "死亡（含失踪） 15 ≥ 10 → 重大（“…13人”），依据
    《生产安全事故报告和调查处理条例》…"."""
    ev = evidence or {}
    make = _SENTENCES.get(kind)
    if make is None:
        return "；".join(f"{k}：{_value(v)}" for k, v in details(ev))
    return make(label, ev) or "（无）"


def _value(value: Any, inner: bool = False) -> str:
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, float):
        return f"{value:g}"
    if isinstance(value, str):
        return _VALUE_LABELS.get(value, value)
    if isinstance(value, Mapping):
        sep, colon = ("，", " ") if inner else ("；", "：")
        return sep.join(f"{_key(k)}{colon}{_value(v, True)}" for k, v in value.items())
    if isinstance(value, Sequence):
        nested = any(isinstance(v, Mapping) for v in value)
        return ("；" if nested else "、").join(_value(v, True) for v in value) or "无"
    return "—" if value is None else str(value)


def _key(key: str) -> str:
    return KEY_LABELS.get(key) or _VALUE_LABELS.get(key) or CUE_LABELS.get(key) or key


def details(evidence: Mapping[str, Any] | None, prefix: str = "") -> list[tuple[str, str]]:
    """Every part of the evidence, named in Chinese, for the disclosure; a nested record (the
    event's highest post) is listed part by part."""
    out: list[tuple[str, str]] = []
    for k, v in (evidence or {}).items():
        if v in (None, [], {}, ""):
            continue
        if k in _HIDDEN:
            continue
        if k in _NESTED and isinstance(v, Mapping):
            out.extend(details(v, f"{prefix}{_key(k)} · "))
        elif k in _CUE_LISTS and isinstance(v, list):
            out.append((prefix + _key(k), "；".join(cue_label(str(c)) for c in v)))
        else:
            out.append((prefix + _key(k), _value(v)))
    return out


@dataclass(frozen=True)
class LabelLine:
    """One label as the event page lists it."""

    kind: str  # 级别, 领域, …
    label: str
    score: str
    sentence: str
    details: list[tuple[str, str]]
    by: str  # 系统 or the person who reviewed it
    version: str  # the model or rules that gave it (shown on hover)
    status: str
    needs_review: bool
    status_value: str
    at: datetime


def label_line(c: models.Classification, users: Mapping[int, str]) -> LabelLine:
    # the row's type already says 不实信息: the label says whether it is suspected
    label = ("疑似" if c.label == RUMOUR_FLAG else "未发现") if c.kind == "rumour" else c.label
    by = f"人工：{users.get(c.reviewed_by, '值班员')}" if c.reviewed_by else "系统判定"
    return LabelLine(
        kind=KIND_LABELS.get(c.kind, c.kind),
        label=label,
        score="—" if c.score is None else f"{c.score:.2f}",
        sentence=sentence(c.kind, c.label, c.evidence),
        details=details(c.evidence),
        by=by,
        version=c.model_version or "",
        status=c.status.label,
        needs_review=bool(c.needs_review),
        status_value=c.status.value,
        at=c.created_at,
    )
