"""Character n-gram TF-IDF computed with numpy, for a whole batch at once.

It gives the same features as scikit-learn's ``TfidfVectorizer(analyzer="char",
sublinear_tf=True)`` — lower-cased text, runs of two or more whitespace characters turned into
one space, every n-gram of the whole string, ``1 + ln(tf)`` times idf, rows scaled to unit
length — but without a Python loop over n-grams: an n-gram is a 64-bit key of its code points
(21 bits each, so n ≤ 3) and the vocabulary is a sorted key array searched with
an open-addressing hash table probed for all n-grams of a batch at once. The vocabulary is
stored as integers.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

import numpy as np
import scipy.sparse as sp

BITS = 21  # every Unicode code point fits
MAX_N = 3
_WHITE = re.compile(r"\s\s+")


def _normalize(text: str) -> str:
    return _WHITE.sub(" ", text.lower()).replace("\x00", "")


def _code_points(texts: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
    """All code points of all texts back to back, and each text's start offset (plus the end)."""
    normalized = [_normalize(t) for t in texts]
    lengths = np.fromiter((len(t) for t in normalized), dtype=np.int64, count=len(normalized))
    starts = np.zeros(len(normalized) + 1, dtype=np.int64)
    np.cumsum(lengths, out=starts[1:])
    joined = "".join(normalized).encode("utf-32-le")
    return np.frombuffer(joined, dtype=np.uint32).astype(np.uint64), starts


def ngram_keys(texts: Sequence[str], ngram_range: tuple[int, int]) -> tuple[np.ndarray, np.ndarray]:
    """(document index, key) of every n-gram occurrence in ``texts``."""
    lo, hi = ngram_range
    if not 1 <= lo <= hi <= MAX_N:
        raise ValueError(f"ngram_range must lie within 1..{MAX_N}, not {ngram_range}")
    cps, starts = _code_points(texts)
    total = len(cps)
    if total == 0:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.uint64)
    lengths = np.diff(starts)
    doc = np.repeat(np.arange(len(texts), dtype=np.int64), lengths)
    remaining = starts[1:][doc] - np.arange(total, dtype=np.int64)  # characters left in the doc
    padded = np.concatenate([cps, np.zeros(MAX_N, dtype=np.uint64)])
    docs: list[np.ndarray] = []
    keys: list[np.ndarray] = []
    key = np.zeros(total, dtype=np.uint64)
    for n in range(1, hi + 1):
        key |= padded[n - 1 : n - 1 + total] << np.uint64(BITS * (n - 1))
        if n >= lo:
            ok = remaining >= n
            docs.append(doc[ok])
            keys.append(key[ok].copy())
    return np.concatenate(docs), np.concatenate(keys)


def key_to_text(key: int) -> str:
    chars = []
    mask = (1 << BITS) - 1
    while key:
        chars.append(chr(key & mask))
        key >>= BITS
    return "".join(chars)


def text_to_key(gram: str) -> int:
    key = 0
    for i, ch in enumerate(gram):
        key |= ord(ch) << (BITS * i)
    return key


_EMPTY = np.uint64(0)  # no n-gram has key 0: NUL characters are removed
_MULT = np.uint64(0x9E3779B97F4A7C15)


class KeyTable:
    """Key → column lookup for many keys at once (linear probing, load factor ≤ 0.25)."""

    def __init__(self, keys: np.ndarray) -> None:
        bits = max(4, int(np.ceil(np.log2(max(len(keys), 1) * 4))))
        self.shift = np.uint64(64 - bits)
        self.mask = np.int64((1 << bits) - 1)
        self.slots = np.full(1 << bits, _EMPTY, dtype=np.uint64)
        self.values = np.full(1 << bits, -1, dtype=np.int64)
        pending = np.arange(len(keys), dtype=np.int64)
        slot = self._home(keys)
        while len(pending):
            free = self.slots[slot] == _EMPTY
            # among keys that want the same free slot, the first one takes it
            cand = pending[free]
            uniq, first = np.unique(slot[free], return_index=True)
            self.slots[uniq] = keys[cand[first]]
            self.values[uniq] = cand[first]
            placed = np.zeros(len(pending), dtype=bool)
            placed[np.flatnonzero(free)[first]] = True
            pending, slot = pending[~placed], (slot[~placed] + 1) & self.mask

    def _home(self, keys: np.ndarray) -> np.ndarray:
        return ((keys * _MULT) >> self.shift).astype(np.int64)

    def lookup(self, keys: np.ndarray) -> np.ndarray:
        """Column of each key, -1 where the key is not in the vocabulary."""
        out = np.full(len(keys), -1, dtype=np.int64)
        todo = np.arange(len(keys), dtype=np.int64)
        slot = self._home(keys)
        while len(todo):
            stored = self.slots[slot]
            hit = stored == keys[todo]
            out[todo[hit]] = self.values[slot[hit]]
            again = ~hit & (stored != _EMPTY)
            todo, slot = todo[again], (slot[again] + 1) & self.mask
        return out


class CharTfidf:
    """Fit a vocabulary (sorted keys) and idf; transform batches to L2-normalised TF-IDF."""

    def __init__(
        self,
        ngram_range: tuple[int, int] = (1, 3),
        *,
        min_df: int = 1,
        max_features: int | None = None,
        keys: np.ndarray | None = None,
        idf: np.ndarray | None = None,
    ) -> None:
        self.ngram_range = ngram_range
        self.min_df = min_df
        self.max_features = max_features
        self.keys_ = keys  # sorted uint64
        self.idf_ = idf  # float32, aligned with keys_
        self._table: KeyTable | None = None

    def fit_transform(self, texts: Sequence[str]) -> sp.csr_matrix:
        docs, keys = ngram_keys(texts, self.ngram_range)
        pairs = np.unique(np.stack([keys, docs.astype(np.uint64)]), axis=1)  # one per (key, doc)
        uniq, df = np.unique(pairs[0], return_counts=True)
        keep = df >= self.min_df
        if self.max_features is not None and keep.sum() > self.max_features:
            # like scikit-learn: the most frequent terms over the corpus, ties by term order
            tf_keys, tf = np.unique(keys, return_counts=True)
            tf = tf[np.searchsorted(tf_keys, uniq)]
            candidates = np.flatnonzero(keep)
            order = np.lexsort((candidates, -tf[candidates]))[: self.max_features]
            keep = np.zeros_like(keep)
            keep[candidates[order]] = True
        self.keys_ = uniq[keep]
        self._table = None
        n_docs = len(texts)
        self.idf_ = (np.log((1 + n_docs) / (1 + df[keep])) + 1).astype(np.float32)
        return self._tfidf(docs, keys, n_docs)

    def transform(self, texts: Sequence[str]) -> sp.csr_matrix:
        docs, keys = ngram_keys(texts, self.ngram_range)
        return self._tfidf(docs, keys, len(texts))

    def _tfidf(self, docs: np.ndarray, keys: np.ndarray, n_docs: int) -> sp.csr_matrix:
        if self.keys_ is None or self.idf_ is None:
            raise RuntimeError("CharTfidf is not fitted")
        if self._table is None:
            self._table = KeyTable(self.keys_)
        n_features = len(self.keys_)
        pos = self._table.lookup(keys)
        found = pos >= 0
        rows, cols = docs[found], pos[found]
        counts = sp.csr_matrix(
            (np.ones(len(rows), dtype=np.float32), (rows, cols)), shape=(n_docs, n_features)
        )
        counts.sum_duplicates()
        data = (np.log(counts.data) + 1) * self.idf_[counts.indices]
        X = sp.csr_matrix(
            (data.astype(np.float32), counts.indices, counts.indptr), shape=counts.shape
        )
        norms = np.sqrt(np.asarray(X.multiply(X).sum(axis=1)).ravel())
        norms[norms == 0] = 1
        X.data /= np.repeat(norms, np.diff(X.indptr)).astype(np.float32)
        return X

    def feature_names(self) -> list[str]:
        if self.keys_ is None:
            return []
        return [key_to_text(int(k)) for k in self.keys_]
