"""The word segmenter: jieba's dictionary, user words kept whole, fast backend = plain jieba."""

from __future__ import annotations

from collections import Counter

import jieba

from classifier.tokenize import Tokenizer

SENTENCES = [
    "七星关区撒拉溪镇卫生院门口的道路坑洼不平，请问什么时候维修？",
    "建议区住建局加快老旧小区改造，增设停车位和路灯。",
    "我于2021年在工地务工，至今被拖欠工资32000元，多次讨要无果。",
    "滴滴滴，呵呵呵，急急急！",
]


def test_user_words_are_not_split() -> None:
    plain = Tokenizer()
    assert "碧阳湖畔社区" not in plain.words("碧阳湖畔社区的路灯坏了")
    local = Tokenizer(["碧阳湖畔社区", "x", " "])
    assert "碧阳湖畔社区" in local.words("碧阳湖畔社区的路灯坏了")
    assert local.user_words == ("碧阳湖畔社区",)  # one-character and blank words are ignored
    # one tokenizer's user words do not leak into another one or into global jieba
    assert "碧阳湖畔社区" not in Tokenizer().words("碧阳湖畔社区的路灯坏了")
    assert "碧阳湖畔社区" not in jieba.lcut("碧阳湖畔社区的路灯坏了", HMM=False)


def test_fast_backend_gives_jiebas_tokens() -> None:
    fast = Tokenizer(prefer_fast=True)
    slow = Tokenizer(prefer_fast=False)
    assert slow.backend_name == "jieba"
    for s in SENTENCES:
        assert Counter(fast.raw(s)) == Counter(slow.raw(s)) == Counter(jieba.lcut(s, HMM=False))


def test_words_drop_whitespace_and_punctuation() -> None:
    words = Tokenizer().words("请问 何时维修？\n谢谢！")
    assert "？" not in words and "\n" not in words and " " not in words
    assert "维修" in words
