"""Character n-gram TF-IDF of title and body, computed with numpy for a whole batch at once.

Every post is read once: its title and its body (the content without a repeated title, cut at
``MAX_BODY`` characters) become code-point arrays, and every character 1–3-gram becomes a
64-bit key of 21 bits per code point. There are two blocks of one vocabulary: the *text* block
holds the n-grams of title and body together, the *title* block (keys with the top bit set)
those of the title again, since a title says more per character than a long letter. Both models
(topic and handling type) read the same feature matrix; each weighs the blocks in its own
weights.

A vocabulary key is found with one gather in a direct-mapped table: a lookup is one multiply,
one shift, one gather and one comparison; the few vocabulary keys that find their slot taken
are kept in a small sorted overflow array, searched only for keys that land on such a slot. Within a block
the features are those of scikit-learn's ``TfidfVectorizer(analyzer="char", sublinear_tf=True)``
over the normalised field: ``1 + ln(tf)`` times the smoothed idf, scaled to unit length.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import scipy.sparse as sp

from classifier.types import PostText

BITS = 21  # every Unicode code point fits
MAX_N = 3
MAX_BODY = 1000  # characters of the body that are read: later ones rarely change a label
TITLE_BIT = np.uint64(1 << 63)
_CHAR_MASK = np.uint64((1 << BITS) - 1)
_MULT = np.uint64(0x9E3779B97F4A7C15)


def fields(post: PostText) -> tuple[str, str]:
    """Normalised (title, body): lower case, whitespace runs as one space, NULs dropped, the
    title not repeated at the start of the body, the body cut at ``MAX_BODY``."""
    title = " ".join(post.title.lower().split()).replace("\x00", "")
    body = " ".join(post.content.lower().split()).replace("\x00", "")
    if title and body.startswith(title):
        body = body[len(title) :].lstrip()
    return title, body[:MAX_BODY]


@dataclass(frozen=True)
class Encoded:
    """The code points of a batch: segment ``2 i`` is the title of post ``i``, ``2 i + 1`` its
    body; ``starts`` has one offset per segment plus the end."""

    cps: np.ndarray  # uint64
    starts: np.ndarray  # int64, 2 n + 1
    n_posts: int

    @property
    def lengths(self) -> np.ndarray:
        return np.diff(self.starts)

    def segment_of_positions(self) -> np.ndarray:
        return np.repeat(np.arange(2 * self.n_posts, dtype=np.int64), self.lengths)


def encode(posts: Sequence[PostText]) -> Encoded:
    parts: list[str] = []
    for post in posts:
        parts.extend(fields(post))
    lengths = np.fromiter((len(t) for t in parts), dtype=np.int64, count=len(parts))
    starts = np.zeros(len(parts) + 1, dtype=np.int64)
    np.cumsum(lengths, out=starts[1:])
    cps = np.frombuffer("".join(parts).encode("utf-32-le"), dtype=np.uint32).astype(np.uint64)
    return Encoded(cps, starts, len(posts))


def ngram_keys(
    enc: Encoded, ngram_range: tuple[int, int] = (1, MAX_N)
) -> tuple[np.ndarray, np.ndarray]:
    """(post index, key) of every n-gram occurrence, grouped by post.

    Every n-gram of a post (title or body) gives its plain key; an n-gram of the title also
    gives the key with ``TITLE_BIT`` set.
    """
    lo, hi = ngram_range
    if not 1 <= lo <= hi <= MAX_N:
        raise ValueError(f"ngram_range must lie within 1..{MAX_N}, not {ngram_range}")
    total = len(enc.cps)
    if total == 0:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.uint64)
    seg = enc.segment_of_positions()
    remaining = enc.starts[1:][seg] - np.arange(total, dtype=np.int64)
    padded = np.concatenate([enc.cps, np.zeros(MAX_N, dtype=np.uint64)])
    width = hi - lo + 1
    keys = np.empty((total, width), dtype=np.uint64)
    valid = np.empty((total, width), dtype=bool)
    key = np.zeros(total, dtype=np.uint64)
    for n in range(1, hi + 1):
        key |= padded[n - 1 : n - 1 + total] << np.uint64(BITS * (n - 1))
        if n >= lo:
            keys[:, n - lo] = key
            valid[:, n - lo] = remaining >= n
    posts = np.repeat(seg >> 1, width)
    flat = valid.ravel()
    in_title = np.repeat((seg & 1) == 0, width)[flat]
    posts, plain = posts[flat], keys.ravel()[flat]
    all_posts = np.concatenate([posts, posts[in_title]])
    all_keys = np.concatenate([plain, plain[in_title] | TITLE_BIT])
    # two runs each sorted by post: a stable sort merges them in linear time
    order = np.argsort(all_posts, kind="stable")
    return all_posts[order], all_keys[order]


def key_to_text(key: int) -> str:
    key &= (1 << 63) - 1
    chars = []
    mask = (1 << BITS) - 1
    while key:
        chars.append(chr(key & mask))
        key >>= BITS
    return "".join(chars)


def text_to_key(gram: str, *, title: bool = False) -> int:
    key = 0
    for i, ch in enumerate(gram):
        key |= ord(ch) << (BITS * i)
    return key | (1 << 63) if title else key


def _slot(keys: np.ndarray, bits: int) -> np.ndarray:
    return ((keys * _MULT) >> np.uint64(64 - bits)).astype(np.int64)


def readable_keys(keys: np.ndarray) -> np.ndarray:
    """Keys worth showing as evidence: two characters or more, one of them Chinese."""
    plain = keys & ~TITLE_BIT
    han = np.zeros(len(keys), dtype=bool)
    for i in range(MAX_N):
        cp = (plain >> np.uint64(BITS * i)) & _CHAR_MASK
        han |= (cp >= 0x4E00) & (cp <= 0x9FFF)
    return han & (plain >= np.uint64(1 << BITS))


class CharSpace:
    """The shared vocabulary: text keys, then title keys (sorted), their idf, a lookup table."""

    def __init__(
        self,
        *,
        ngram_range: tuple[int, int] = (1, MAX_N),
        min_df: int = 2,
        max_title: int = 20_000,
        max_text: int = 100_000,
        keys: np.ndarray | None = None,
        idf: np.ndarray | None = None,
        table_bits: int = 0,
    ) -> None:
        self.ngram_range = ngram_range
        self.min_df = min_df
        self.max_title = max_title
        self.max_text = max_text
        self.keys = np.zeros(0, dtype=np.uint64) if keys is None else keys
        self.idf = np.zeros(0, dtype=np.float32) if idf is None else idf
        self.table_bits = table_bits
        self._table: np.ndarray | None = None
        self._crowded: np.ndarray | None = None  # slots with more than one vocabulary key
        self._overflow = np.zeros(0, dtype=np.uint64)  # keys that lost their slot, sorted
        self._overflow_col = np.zeros(0, dtype=np.int32)
        self._names: dict[int, str] = {}
        if keys is not None:
            self._build_table()

    @property
    def size(self) -> int:
        return len(self.keys)

    @property
    def n_text(self) -> int:
        return int(np.searchsorted(self.keys, TITLE_BIT))

    def title_columns(self) -> np.ndarray:
        return np.arange(self.size) >= self.n_text

    def _build_table(self) -> None:
        slots = _slot(self.keys, self.table_bits)
        _, first, counts = np.unique(slots, return_index=True, return_counts=True)
        table = np.full(1 << self.table_bits, -1, dtype=np.int32)
        table[slots[first]] = first.astype(np.int32)
        crowded = np.zeros(1 << self.table_bits, dtype=bool)
        crowded[slots[first[counts > 1]]] = True
        lost = np.ones(len(slots), dtype=bool)
        lost[first] = False
        cols = np.flatnonzero(lost)  # keys are sorted, so these are too
        self._table, self._crowded = table, crowded
        self._overflow, self._overflow_col = self.keys[cols], cols.astype(np.int32)

    def fit_transform(self, posts: Sequence[PostText]) -> sp.csr_matrix:
        enc = encode(posts)
        rows, keys = ngram_keys(enc, self.ngram_range)
        pairs = np.unique(np.stack([keys, rows.astype(np.uint64)]), axis=1)  # one per (key, post)
        uniq, df = np.unique(pairs[0], return_counts=True)
        chosen: list[np.ndarray] = []
        for is_title, limit in ((False, self.max_text), (True, self.max_title)):
            cand = np.flatnonzero((df >= self.min_df) & ((uniq >= TITLE_BIT) == is_title))
            order = np.lexsort((uniq[cand], -df[cand]))  # most frequent first, ties by key
            chosen.append(cand[order][:limit])
        best_first = np.concatenate(chosen)
        best_first = best_first[np.lexsort((uniq[best_first], -df[best_first]))]
        # a table four times the vocabulary stays in the processor's cache; about a tenth of the
        # keys land in the overflow array
        self.table_bits = max(10, int(np.ceil(np.log2(max(len(best_first), 1) * 4))))
        kept = np.sort(best_first)
        self.keys = uniq[kept]
        n_docs = len(posts)
        self.idf = (np.log((1 + n_docs) / (1 + df[kept])) + 1).astype(np.float32)
        self._build_table()
        self._names = {}
        return self._tfidf(rows, keys, n_docs)

    def transform(self, posts: Sequence[PostText] | Encoded) -> sp.csr_matrix:
        enc = posts if isinstance(posts, Encoded) else encode(posts)
        rows, keys = ngram_keys(enc, self.ngram_range)
        return self._tfidf(rows, keys, enc.n_posts)

    def _tfidf(self, rows: np.ndarray, keys: np.ndarray, n_docs: int) -> sp.csr_matrix:
        if self._table is None:
            raise RuntimeError("CharSpace is not fitted")
        assert self._crowded is not None
        slot = _slot(keys, self.table_bits)
        col = self._table[slot]
        hit = col >= 0
        hit[hit] = self.keys[col[hit]] == keys[hit]
        again = np.flatnonzero(~hit & self._crowded[slot])
        if len(again) and len(self._overflow):
            at = np.minimum(np.searchsorted(self._overflow, keys[again]), len(self._overflow) - 1)
            found = self._overflow[at] == keys[again]
            col[again[found]] = self._overflow_col[at[found]]
            hit[again[found]] = True
        rows, cols = rows[hit], col[hit]
        indptr = np.zeros(n_docs + 1, dtype=np.int64)
        np.cumsum(np.bincount(rows, minlength=n_docs), out=indptr[1:])
        X = sp.csr_matrix(
            (np.ones(len(cols), dtype=np.float32), cols, indptr), shape=(n_docs, self.size)
        )
        X.sum_duplicates()  # counts; sorts each row's columns (in C, row by row)
        data = (np.log(X.data) + 1) * self.idf[X.indices]
        # the text and the title block are scaled to unit length each
        row_of = np.repeat(np.arange(n_docs, dtype=np.int64), np.diff(X.indptr))
        block = 2 * row_of + (X.indices >= self.n_text)
        norms = np.sqrt(np.bincount(block, weights=data * data, minlength=2 * n_docs))
        norms[norms == 0] = 1
        X.data = (data / norms[block]).astype(np.float32)
        return X

    def name(self, column: int) -> str:
        name = self._names.get(column)
        if name is None:
            name = self._names[column] = key_to_text(int(self.keys[column]))
        return name

    def readable(self) -> np.ndarray:
        return readable_keys(self.keys)

    def spec(self) -> dict[str, Any]:
        return {
            "ngram_range": list(self.ngram_range),
            "min_df": self.min_df,
            "max_title": self.max_title,
            "max_text": self.max_text,
            "max_body_chars": MAX_BODY,
            "table_bits": self.table_bits,
        }

    def to_arrays(self) -> dict[str, np.ndarray]:
        return {"features_keys": self.keys, "features_idf": self.idf}

    @classmethod
    def from_arrays(cls, spec: dict[str, Any], arrays: Any) -> CharSpace:
        if int(spec.get("max_body_chars", -1)) != MAX_BODY:
            raise ValueError(f"the model reads {spec.get('max_body_chars')} body characters")
        keys = np.asarray(arrays["features_keys"], dtype=np.uint64)
        idf = np.asarray(arrays["features_idf"], dtype=np.float32)
        if len(keys) != len(idf) or np.any(keys[1:] <= keys[:-1]):
            raise ValueError("feature keys and idf do not fit")
        lo, hi = spec["ngram_range"]
        return cls(
            ngram_range=(int(lo), int(hi)),
            min_df=int(spec["min_df"]),
            max_title=int(spec["max_title"]),
            max_text=int(spec["max_text"]),
            keys=keys,
            idf=idf,
            table_bits=int(spec["table_bits"]),
        )
