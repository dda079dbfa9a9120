"""Settings: the sample config is valid; mistakes are all reported with where they are."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from domain.settings import ENV_VARS, ConfigError, load_settings
from tests.conftest import ROOT, SAMPLE_CONFIG


def test_sample_config_is_valid() -> None:
    s = load_settings(SAMPLE_CONFIG, environ={})
    j = s.jurisdiction
    assert j.name == "七星关区"
    ids = {u.id for u in j.units}
    # the units named in the 2017 政务公开 plan (seed 001) are all there
    for needed in ("xcb", "wxb", "jyj", "wsj", "zjj", "jtj", "hbj", "rsj", "mzj", "swj", "fpb"):
        assert needed in ids
    assert {u.kind.value for u in j.units} >= {"区直部门", "乡镇", "街道", "议事协调机构"}
    assert all(e.endswith("@qxg.example") for u in j.units for e in u.emails)
    assert s.database_url.startswith("sqlite:///")


def test_environment_overrides_the_file() -> None:
    s = load_settings(
        SAMPLE_CONFIG,
        environ={"YUQING_DATABASE_URL": "postgresql+psycopg://u@h/db", "YUQING_SMTP_PORT": "2525"},
    )
    assert s.database_url == "postgresql+psycopg://u@h/db"
    assert s.mail.port == 2525


def test_bad_environment_value_names_the_variable() -> None:
    with pytest.raises(ConfigError) as exc:
        load_settings(SAMPLE_CONFIG, environ={"YUQING_SMTP_PORT": "twenty-five"})
    assert [p.where for p in exc.value.problems] == ["YUQING_SMTP_PORT"]


PLANTED = [
    # (original text, broken text, expected key in the report)
    ('port = 25\n', 'port = "twenty-five"\n', "mail.port"),
    ('fallback_unit = "qzfb"', 'fallback_unit = "nobody"', "jurisdiction.fallback_unit"),
    ('topics = ["交通运输"]', 'topics = ["交通"]', "jurisdiction.units[8:jtj].topics"),
]


def _broken_config(tmp_path: Path) -> Path:
    text = SAMPLE_CONFIG.read_text(encoding="utf-8")
    for original, broken, _ in PLANTED:
        assert original in text, original
        text = text.replace(original, broken, 1)
    path = tmp_path / "broken.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_config_check_reports_three_planted_mistakes(tmp_path: Path) -> None:
    path = _broken_config(tmp_path)
    proc = subprocess.run(
        [sys.executable, "-m", "yuqing", "config", "check", str(path)],
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    assert proc.returncode == 2, proc.stdout + proc.stderr
    lines = proc.stdout.splitlines()
    for _, _, key in PLANTED:
        assert any(line.startswith(f"{path}: {key}: ") for line in lines), (key, proc.stdout)
    assert "Traceback" not in proc.stderr


def test_structural_mistakes_are_all_reported(tmp_path: Path) -> None:
    text = SAMPLE_CONFIG.read_text(encoding="utf-8")
    text = text.replace('parent = "qzfb"', 'parent = "gone"', 1)
    text = text.replace('url = "http://127.0.0.1:8765/people"', 'url = "ftp://x"', 1)
    path = tmp_path / "c.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError) as exc:
        load_settings(path, environ={})
    keys = {p.key for p in exc.value.problems}
    assert keys == {"sources[0:people-liuyan].url", "jurisdiction.units[3:dzzwb].parent"}


def test_unknown_parent_is_reported(tmp_path: Path) -> None:
    text = SAMPLE_CONFIG.read_text(encoding="utf-8").replace('parent = "qzfb"', 'parent = "gone"', 1)
    path = tmp_path / "c.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError) as exc:
        load_settings(path, environ={})
    assert [p.key for p in exc.value.problems] == ["jurisdiction.units[3:dzzwb].parent"]


def test_missing_and_invalid_files(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="file not found"):
        load_settings(tmp_path / "none.toml", environ={})
    bad = tmp_path / "bad.toml"
    bad.write_text("[mail\nport=1", encoding="utf-8")
    with pytest.raises(ConfigError, match="not valid TOML"):
        load_settings(bad, environ={})


def test_every_environment_variable_is_documented() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    documented = set(re.findall(r"`(YUQING_[A-Z_]+)`", readme))
    missing = {v.name for v in ENV_VARS} - documented
    assert not missing, f"README does not document {sorted(missing)}"


def test_cli_errors_are_one_line_not_a_traceback(tmp_path: Path) -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "yuqing", "--config", str(tmp_path / "none.toml"), "init"],
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    assert proc.returncode == 2
    assert "file not found" in proc.stderr
    assert "Traceback" not in proc.stderr


def test_config_check_reports_grading_mistakes(tmp_path: Path) -> None:
    grading = (ROOT / "config" / "grading.toml").read_text(encoding="utf-8")
    bad = tmp_path / "grading.toml"
    bad.write_text(grading.replace("when = { deaths = 30 }", "when = { death = 30 }", 1), "utf-8")
    text = SAMPLE_CONFIG.read_text(encoding="utf-8")
    assert 'grading = "config/grading.toml"' in text
    path = tmp_path / "c.toml"
    path.write_text(text.replace('grading = "config/grading.toml"', f'grading = "{bad}"'), "utf-8")
    proc = subprocess.run(
        [sys.executable, "-m", "yuqing", "config", "check", str(path)],
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    assert proc.returncode == 2, proc.stdout + proc.stderr
    assert f"{bad}: kinds.production_safety.rows[0].when.death: unknown figure" in proc.stdout
    assert "Traceback" not in proc.stderr


def test_population_density_is_checked(tmp_path: Path) -> None:
    text = SAMPLE_CONFIG.read_text(encoding="utf-8")
    path = tmp_path / "c.toml"
    path.write_text(text.replace('population_density = "人口密集"', 'population_density = "密"'), "utf-8")
    with pytest.raises(ConfigError) as exc:
        load_settings(path, environ={})
    assert [p.key for p in exc.value.problems] == ["jurisdiction.population_density"]


def test_a_misspelt_key_gets_the_nearest_known_one(tmp_path: Path) -> None:
    text = SAMPLE_CONFIG.read_text(encoding="utf-8")
    text = text.replace("interval_s = 60", "intervall_s = 60", 1)
    text = text.replace("[mail]", "[mail]\nreplyto = \"duty@qxg.example\"", 1)
    path = tmp_path / "c.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError) as exc:
        load_settings(path, environ={})
    found = {p.key: p.message for p in exc.value.problems}
    assert found["sources[0:people-liuyan].intervall_s"] == (
        "unknown key 'intervall_s'; did you mean 'interval_s'?"
    )
    assert found["mail.replyto"] == "unknown key 'replyto'; did you mean 'reply_to'?"


@pytest.mark.parametrize("address", ["hbj@qxg", "hbj@", "@qxg.example", "h bj@qxg.example"])
def test_an_email_address_must_be_one(tmp_path: Path, address: str) -> None:
    text = SAMPLE_CONFIG.read_text(encoding="utf-8")
    first = re.search(r'emails = \["([^"]+)"\]', text)
    assert first is not None
    text = text.replace(first.group(0), f'emails = ["{address}"]', 1)
    text = text.replace('reply_to = "duty@qxg.example"', f'reply_to = "{address}"', 1)
    path = tmp_path / "c.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError) as exc:
        load_settings(path, environ={})
    keys = {p.key for p in exc.value.problems}
    assert "mail.reply_to" in keys and any(k.endswith(".emails") for k in keys)
    assert all("not an email address" in p.message for p in exc.value.problems)
