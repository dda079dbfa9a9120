"""Word segmentation: jieba's dictionary plus the jurisdiction's own words.

Segmentation runs without jieba's HMM, so every multi-character token is a word of jieba's
dictionary or of the user words (unit names, villages, roads from the jurisdiction config); the
HMM would invent new "words" from unseen character runs, which makes features unstable between
runs with different user words.

``jieba_fast_dat`` (a C++ implementation of the same algorithm) is used when it is installed:
loaded with jieba's own ``dict.txt`` and with HMM off it gives jieba's tokens about eight times
faster. Plain jieba is the fallback and gives the same tokens.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterable
from typing import Any, Protocol


class _Backend(Protocol):
    def add_word(self, word: str, freq: int | None = None, tag: str | None = None) -> Any: ...

    def lcut(self, sentence: str, cut_all: bool = False, HMM: bool = True) -> list[str]: ...


_LOCK = threading.Lock()


def _jieba_dict_path() -> str:
    import jieba

    jieba.setLogLevel(logging.WARNING)
    # jieba.get_dict_file() opens the bundled dict.txt; we only need its path
    with jieba.get_dict_file() as fh:
        return str(fh.name)


def _make_backend(prefer_fast: bool) -> tuple[_Backend, str]:
    path = _jieba_dict_path()
    if prefer_fast:
        try:
            import jieba_fast_dat
        except ImportError:
            pass
        else:
            logging.getLogger("jieba_fast_dat").setLevel(logging.WARNING)
            fast = jieba_fast_dat.Tokenizer(dictionary=path)
            fast.initialize()
            return fast, "jieba_fast_dat"
    import jieba

    slow = jieba.Tokenizer(dictionary=path)
    slow.initialize()
    return slow, "jieba"


class Tokenizer:
    """Segments text into words; user words are never split.

    One instance holds its own dictionary, so different jurisdictions (or a test) do not change
    each other's segmentation, nor the global ``jieba`` state other code may rely on.
    """

    def __init__(self, user_words: Iterable[str] = (), *, prefer_fast: bool = True) -> None:
        with _LOCK:  # building a prefix dictionary is not thread-safe in plain jieba
            self._backend, self.backend_name = _make_backend(prefer_fast)
        self.user_words: tuple[str, ...] = ()
        self.add_words(user_words)

    def add_words(self, words: Iterable[str]) -> None:
        added = []
        for word in words:
            word = word.strip()
            if len(word) >= 2 and not any(ch.isspace() for ch in word):
                # freq=None lets the segmenter pick a frequency high enough to keep it whole
                self._backend.add_word(word)
                added.append(word)
        self.user_words = (*self.user_words, *added)

    def words(self, text: str) -> list[str]:
        """Tokens with whitespace and one-character punctuation dropped."""
        return [w for w in self._backend.lcut(text, HMM=False) if _keep(w)]

    def raw(self, text: str) -> list[str]:
        """Every token, whitespace and punctuation included, as jieba returns them."""
        return self._backend.lcut(text, HMM=False)


def _keep(token: str) -> bool:
    if len(token) > 1:
        return not token.isspace()
    return token.isalnum()
