"""Hashed jieba-word TF-IDF: an optional feature block beside the character n-grams.

Words come from ``classifier.tokenize.Tokenizer`` with the jurisdiction's user words (unit names,
places, matters), so a local name is one feature however jieba would cut it. Words are hashed
into ``2 ** bits`` columns (no vocabulary to store), weighted ``1 + ln(tf)`` times a smoothed
idf learnt per column, and scaled to unit length. ``fields="title"`` reads the title only (cheap:
a title is a few words), ``"all"`` the title and the body.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence

import numpy as np
import scipy.sparse as sp

from classifier.ngrams import fields as post_fields
from classifier.tokenize import Tokenizer
from classifier.types import PostText

BITS = 18


class WordSpace:
    def __init__(
        self,
        user_words: Iterable[str] = (),
        *,
        fields: str = "title",
        bits: int = BITS,
        idf: np.ndarray | None = None,
        tokenizer: Tokenizer | None = None,
    ) -> None:
        if fields not in ("title", "all"):
            raise ValueError(f"fields must be title or all, not {fields!r}")
        self.user_words = tuple(user_words)
        self.fields = fields
        self.bits = bits
        self.idf = idf
        self._tokenizer = tokenizer

    def fresh(self, *, fields: str) -> WordSpace:
        """An unfitted space with the same tokenizer."""
        return WordSpace(self.user_words, fields=fields, bits=self.bits, tokenizer=self.tokenizer)

    @property
    def tokenizer(self) -> Tokenizer:
        if self._tokenizer is None:
            logging.getLogger("jieba").setLevel(logging.WARNING)
            self._tokenizer = Tokenizer(self.user_words)
        return self._tokenizer

    def _counts(self, posts: Sequence[PostText]) -> sp.csr_matrix:
        from sklearn.feature_extraction import FeatureHasher

        words = self.tokenizer.words
        docs = []
        for post in posts:
            title, body = post_fields(post)
            text = title if self.fields == "title" else f"{title} {body}"
            docs.append(words(text))
        hasher = FeatureHasher(2**self.bits, input_type="string", alternate_sign=False)
        X = sp.csr_matrix(hasher.transform(docs), dtype=np.float32)
        X.sum_duplicates()
        return X

    def fit_transform(self, posts: Sequence[PostText]) -> sp.csr_matrix:
        X = self._counts(posts)
        df = np.bincount(X.indices, minlength=X.shape[1])
        self.idf = (np.log((1 + X.shape[0]) / (1 + df)) + 1).astype(np.float32)
        return self._tfidf(X)

    def transform(self, posts: Sequence[PostText]) -> sp.csr_matrix:
        return self._tfidf(self._counts(posts))

    def _tfidf(self, X: sp.csr_matrix) -> sp.csr_matrix:
        if self.idf is None:
            raise RuntimeError("WordSpace is not fitted")
        X.data = (np.log(X.data) + 1) * self.idf[X.indices]
        norms = np.sqrt(np.asarray(X.multiply(X).sum(axis=1)).ravel())
        norms[norms == 0] = 1
        X = sp.csr_matrix(sp.diags(1 / norms) @ X)
        X.data = X.data.astype(np.float32)
        return X
