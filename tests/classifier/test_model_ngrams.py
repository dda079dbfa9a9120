"""The numpy character n-gram TF-IDF gives scikit-learn's features, only faster."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.feature_extraction.text import TfidfVectorizer

from classifier.ngrams import CharTfidf, KeyTable, key_to_text, ngram_keys, text_to_key

DOCS = [
    "七星关区碧阳街道 小区路灯  不亮，请问何时维修？",
    "建议增设公交线路\n\n方便群众出行",
    "拖欠工资 3200 元，ABC 公司至今未付！",
    "小区路灯",
    "",
    "a",
]


@pytest.mark.parametrize("ngram_range", [(1, 1), (1, 3), (2, 3)])
@pytest.mark.parametrize("min_df", [1, 2])
def test_same_features_as_scikit_learn(ngram_range: tuple[int, int], min_df: int) -> None:
    ref = TfidfVectorizer(
        analyzer="char", ngram_range=ngram_range, sublinear_tf=True, min_df=min_df
    )
    X_ref = ref.fit_transform(DOCS).toarray()
    ours = CharTfidf(ngram_range, min_df=min_df)
    X = ours.fit_transform(DOCS).toarray()
    names = ours.feature_names()
    assert sorted(names) == sorted(ref.vocabulary_)
    cols = [ref.vocabulary_[n] for n in names]
    np.testing.assert_allclose(X, X_ref[:, cols], atol=1e-6)
    # transform of unseen text uses the fitted vocabulary and idf
    new = ["路灯不亮，公交何时开通？", "全新的内容"]
    np.testing.assert_allclose(
        ours.transform(new).toarray(), ref.transform(new).toarray()[:, cols], atol=1e-6
    )


def test_max_features_keeps_the_most_frequent() -> None:
    ours = CharTfidf((1, 1), max_features=2)
    ours.fit_transform(["路路路灯灯", "路灯", "灯路x"])
    assert sorted(ours.feature_names()) == ["灯", "路"]


def test_keys_round_trip_and_stay_within_a_document() -> None:
    for gram in ("路", "路灯", "路灯亮", "a😀b"):
        assert key_to_text(text_to_key(gram)) == gram
    docs, keys = ngram_keys(["ab", "c"], (1, 3))
    grams = sorted((int(d), key_to_text(int(k))) for d, k in zip(docs, keys, strict=True))
    assert grams == [(0, "a"), (0, "ab"), (0, "b"), (1, "c")]  # no "bc" across documents


def test_key_table_finds_present_keys_only() -> None:
    rng = np.random.default_rng(0)
    keys = np.unique(rng.integers(1, 2**60, size=5000, dtype=np.uint64))
    table = KeyTable(keys)
    np.testing.assert_array_equal(table.lookup(keys), np.arange(len(keys)))
    absent = keys + np.uint64(1)
    absent = absent[~np.isin(absent, keys)]
    assert (table.lookup(absent) == -1).all()
