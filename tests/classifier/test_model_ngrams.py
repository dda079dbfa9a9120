"""The numpy character n-gram TF-IDF gives scikit-learn's features, only faster."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.feature_extraction.text import TfidfVectorizer

from classifier.ngrams import (
    TITLE_BIT,
    CharSpace,
    encode,
    fields,
    key_to_text,
    ngram_keys,
    text_to_key,
)
from classifier.types import PostText

DOCS = [
    "七星关区碧阳街道 小区路灯  不亮，请问何时维修？",
    "建议增设公交线路\n\n方便群众出行",
    "拖欠工资 3200 元，ABC 公司至今未付！",
    "小区路灯",
    "",
    "a",
]


@pytest.mark.parametrize("min_df", [1, 2])
def test_text_block_is_scikit_learns_tfidf(min_df: int) -> None:
    posts = [PostText("", d) for d in DOCS]
    normalised = [fields(p)[1] for p in posts]
    ref = TfidfVectorizer(
        analyzer="char", ngram_range=(1, 3), sublinear_tf=True, min_df=min_df, lowercase=False
    )
    X_ref = ref.fit_transform(normalised).toarray()
    space = CharSpace(min_df=min_df)
    X = space.fit_transform(posts).toarray()
    assert space.n_text == space.size  # no titles, no title block
    names = [space.name(i) for i in range(space.size)]
    assert sorted(names) == sorted(ref.vocabulary_)
    cols = [ref.vocabulary_[n] for n in names]
    np.testing.assert_allclose(X, X_ref[:, cols], atol=1e-6)
    new = [PostText("", "路灯不亮，公交何时开通？"), PostText("", "全新的内容")]
    X_new = ref.transform([fields(p)[1] for p in new]).toarray()
    np.testing.assert_allclose(space.transform(new).toarray(), X_new[:, cols], atol=1e-6)


def test_title_counts_in_both_blocks_and_each_block_has_unit_length() -> None:
    posts = [PostText("路灯不亮", "路灯不亮，请维修"), PostText("公交", "建议增设公交")]
    space = CharSpace(min_df=1)
    X = space.fit_transform(posts)
    title = space.title_columns()
    assert title.any() and (~title).any()
    for row in X.toarray():
        assert np.linalg.norm(row[title]) == pytest.approx(1.0, abs=1e-5)
        assert np.linalg.norm(row[~title]) == pytest.approx(1.0, abs=1e-5)
    # the repeated title is read once: "路灯" counts once in the title and twice in the text
    assert fields(posts[0]) == ("路灯不亮", "，请维修")


def test_unknown_ngrams_are_ignored() -> None:
    space = CharSpace(min_df=1)
    space.fit_transform([PostText("", "路灯不亮")])
    assert space.transform([PostText("", "全新内容")]).nnz == 0


def test_keys_round_trip_and_stay_within_a_field() -> None:
    for gram in ("路", "路灯", "路灯亮", "a😀b"):
        assert key_to_text(text_to_key(gram)) == gram
        assert key_to_text(text_to_key(gram, title=True)) == gram
    posts, keys = ngram_keys(encode([PostText("ab", "c"), PostText("", "d")]))
    grams = sorted(
        (int(p), key_to_text(int(k)), bool(k & TITLE_BIT)) for p, k in zip(posts, keys, strict=True)
    )
    assert grams == [
        (0, "a", False),
        (0, "a", True),
        (0, "ab", False),
        (0, "ab", True),
        (0, "b", False),
        (0, "b", True),
        (0, "c", False),
        (1, "d", False),
    ]  # no "bc" across title and body
    assert list(posts) == sorted(posts)
