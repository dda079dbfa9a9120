"""Grading tables: the shipped national tables, the sample copy, and every mistake reported."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

from classifier.grading import (
    MEASURES,
    SHIPPED,
    GradingError,
    grading_from_settings,
    load_grading,
    shipped_grading,
)
from classifier.lexicon_severity import KINDS
from classifier.severity import assess
from domain.settings import load_settings
from tests.conftest import ROOT, SAMPLE_CONFIG

SAMPLE_GRADING = ROOT / "config" / "grading.toml"


def test_the_sample_file_is_the_shipped_national_tables() -> None:
    # config/grading.toml is the deployment's copy to check and override; it starts equal
    assert SAMPLE_GRADING.read_bytes() == SHIPPED.read_bytes()


def test_every_kind_has_a_table_and_every_row_cites_its_basis() -> None:
    tables = shipped_grading()
    assert set(tables.kinds) == set(KINDS)
    for table in tables.kinds.values():
        assert table.document and table.rows
        for row in table.rows:
            assert row.basis.strip()
            assert all(m in MEASURES for m, _ in row.when)


def test_the_production_safety_table_is_article_3_of_the_regulation() -> None:
    table = shipped_grading().table("production_safety")
    deaths = {r.level: v for r in table.rows for m, v in r.when if m == "deaths"}
    serious = {r.level: v for r in table.rows for m, v in r.when if m == "serious_injured"}
    loss = {r.level: v for r in table.rows for m, v in r.when if m == "loss_yuan"}
    assert deaths == {"特别重大": 30, "重大": 10, "较大": 3}
    assert serious == {"特别重大": 100, "重大": 50, "较大": 10}
    assert loss == {"特别重大": 1e8, "重大": 5e7, "较大": 1e7}
    assert all("第三条" in r.basis for r in table.rows if r.when and r.when[0][0] == "deaths")


def test_settings_name_the_file_and_the_density() -> None:
    settings = load_settings(SAMPLE_CONFIG, environ={})
    assert settings.classifier.grading == "config/grading.toml"
    tables = grading_from_settings(settings)
    assert tables.population_density == settings.jurisdiction.population_density


@pytest.mark.parametrize(
    ("density", "magnitude", "expected"),
    [
        ("人口密集", "5.0", "重大"),
        ("人口密集", "4.2", "较大"),
        ("人口密集", "6.1", "特别重大"),
        ("人口较密集", "5.0", "较大"),
        ("人口较密集", "6.1", "重大"),
        ("人口较密集", "4.2", "一般"),
        ("其他", "5.0", "一般"),
    ],
)
def test_earthquakes_are_judged_by_magnitude_and_density(
    density: str, magnitude: str, expected: str
) -> None:
    tables = load_grading(SHIPPED, population_density=density)
    text = f"刚才本地发生{magnitude}级地震，震感强烈，暂无人员伤亡报告。"
    assert assess("", text, grading=tables).level == expected


def test_a_jurisdiction_can_override_a_row(tmp_path: Path) -> None:
    text = SHIPPED.read_text(encoding="utf-8").replace(
        'level = "重大"\nwhen = { deaths = 10 }\nbasis = "条例',
        'level = "重大"\nwhen = { deaths = 5 }\nbasis = "本地规定：条例',
        1,
    )
    path = tmp_path / "grading.toml"
    path.write_text(text, encoding="utf-8")
    local = load_grading(path)
    post = "长春堡煤矿发生透水事故，已确认6人遇难。"
    assert assess("", post).level == "较大"
    result = assess("", post, grading=local)
    assert result.level == "重大"
    assert any("本地规定" in m["basis"] for m in result.evidence["measures"])


def _broken(tmp_path: Path, *edits: tuple[str, str]) -> Path:
    text = SHIPPED.read_text(encoding="utf-8")
    for old, new in edits:
        assert old in text, old
        text = text.replace(old, new, 1)
    path = tmp_path / "grading.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_every_mistake_is_reported_with_its_key(tmp_path: Path) -> None:
    path = _broken(
        tmp_path,
        ('level = "特别重大"\nwhen = { deaths = 30 }', 'level = "很大"\nwhen = { death = 30 }'),
        ('emergency_type = "自然灾害"', 'emergency_type = "天灾"'),
        ('density = ["人口密集"]', 'density = ["很密"]'),
        ("vulnerable_hurt = 2", 'vulnerable_hurt = "two"'),
    )
    with pytest.raises(GradingError) as exc:
        load_grading(path)
    found = {(p.where, p.key) for p in exc.value.problems}
    assert (str(path), "kinds.production_safety.rows[0].level") in found
    assert (str(path), "kinds.production_safety.rows[0].when.death") in found
    assert (str(path), "kinds.earthquake.emergency_type") in found
    assert (str(path), "kinds.earthquake.rows[1].density") in found
    assert (str(path), "raises.vulnerable_hurt") in found
    assert all(str(p).startswith(f"{path}: ") for p in exc.value.problems)


def test_a_row_without_a_basis_or_a_missing_kind_is_refused(tmp_path: Path) -> None:
    data = tomllib.loads(SHIPPED.read_text(encoding="utf-8"))
    assert "basis" in data["kinds"]["crowd"]["rows"][0]
    text = SHIPPED.read_text(encoding="utf-8")
    start = text.index("[kinds.social_other]")
    path = _broken(
        tmp_path,
        ('basis = "特别重大 1：一次参与人数5000人以上"\n', ""),
        (text[start:], ""),
    )
    with pytest.raises(GradingError) as exc:
        load_grading(path)
    keys = {p.key for p in exc.value.problems}
    assert "kinds.crowd.rows[0].basis" in keys
    assert "kinds.social_other" in keys


def test_missing_and_invalid_files(tmp_path: Path) -> None:
    with pytest.raises(GradingError, match="file not found"):
        load_grading(tmp_path / "none.toml")
    bad = tmp_path / "bad.toml"
    bad.write_text("[kinds\n", encoding="utf-8")
    with pytest.raises(GradingError, match="not valid TOML"):
        load_grading(bad)
    with pytest.raises(GradingError, match="population_density"):
        load_grading(SHIPPED, population_density="很密")
