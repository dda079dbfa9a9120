"""The policy file: the default's contents, and errors reported with file and key."""

from __future__ import annotations

import tomllib
from datetime import timedelta
from pathlib import Path

import pytest

from response_sla.errors import SlaConfigError
from response_sla.policy import Policy, load_policy, parse_policy
from storage.enums import Severity


def test_default_policy_has_the_legal_windows(policy: Policy) -> None:
    assert policy.kind("publish_info").hours == 5
    assert policy.kind("press_conference").hours == 24
    assert policy.kind("respond").hours == 48
    assert policy.kind("website_error").working_days == 2
    resolve = policy.kind("resolve")
    assert resolve.days_for("咨询") == 5 and resolve.days_for("投诉/求助") == 15
    assert resolve.days_for(None) == 15 and resolve.extension_max_working_days == 10
    # the legal hour windows cannot be extended
    for kind in ("publish_info", "press_conference", "respond", "acknowledge"):
        assert policy.kind(kind).extension_max_working_days == 0
    assert policy.kind("acknowledge").return_limit == timedelta(hours=24)


@pytest.mark.parametrize(
    ("severity", "kinds"),
    [
        (Severity.EXTRAORDINARY, {"publish_info", "press_conference", "acknowledge", "resolve",
                                  "unit_publish_info", "unit_press_conference"}),
        (Severity.MAJOR, {"publish_info", "press_conference", "acknowledge", "resolve",
                          "unit_publish_info", "unit_press_conference"}),
        (Severity.LARGE, {"respond", "acknowledge", "resolve"}),
        (Severity.GENERAL, {"respond", "acknowledge", "resolve"}),
        (Severity.ROUTINE, {"respond", "acknowledge", "resolve"}),
    ],
)
def test_which_kinds_apply(policy: Policy, severity: Severity, kinds: set[str]) -> None:
    got = {k.kind for k in policy.kinds.values() if k.applies(severity, website_error=False)}
    assert got == kinds
    flagged = {k.kind for k in policy.kinds.values() if k.applies(severity, website_error=True)}
    assert flagged == kinds | {"website_error"}


def _default_data() -> dict:  # type: ignore[type-arg]
    root = Path(__file__).resolve().parents[2]
    return tomllib.loads((root / "response_sla" / "default_policy.toml").read_text("utf-8"))


def test_errors_name_file_and_key() -> None:
    data = _default_data()
    data["colour"] = 1
    data["kinds"]["respond"]["hours"] = -3
    data["kinds"]["respond"]["severities"] = ["重大", "huge"]
    data["kinds"]["publish_info"]["warnings"] = [0.8, 0.5]
    data["kinds"]["press_conference"]["extension_max_working_days"] = 3
    data["kinds"]["resolve"]["escalation"] = [
        {"level": 2, "after_hours": 0, "notify": ["unit"]},
        {"level": 3, "after_hours": 1, "notify": ["mayor"]},
    ]
    data["kinds"]["acknowledge"]["anchor"] = "whenever"
    del data["kinds"]["website_error"]["label"]
    with pytest.raises(SlaConfigError) as info:
        parse_policy(data, "p.toml")
    text = str(info.value)
    for expected in (
        "p.toml: colour: unknown key",
        "p.toml: kinds.respond.hours: expected a number >= 0.01, got -3",
        "p.toml: kinds.respond.severities: unknown value(s) ['huge']",
        "p.toml: kinds.publish_info.warnings: fractions must increase",
        "p.toml: kinds.press_conference.extension_max_working_days: legal hour windows",
        "p.toml: kinds.resolve.escalation[1].notify: unknown value(s) ['mayor']",
        "p.toml: kinds.resolve.escalation: levels must be 1, 2, 3",
        "p.toml: kinds.acknowledge.anchor: expected one of ['first_public', 'assignment']",
        "p.toml: kinds.website_error.label: required",
    ):
        assert expected in text, expected


def test_hours_or_working_days_exactly_one() -> None:
    data = _default_data()
    data["kinds"]["respond"]["working_days"] = 3
    with pytest.raises(SlaConfigError, match="kinds.respond.hours: give exactly one"):
        parse_policy(data, "p.toml")


def test_missing_inherited_key_without_defaults() -> None:
    data = _default_data()
    del data["defaults"]
    with pytest.raises(SlaConfigError, match="kinds.respond.warnings: missing"):
        parse_policy(data, "p.toml")


def test_file_errors(tmp_path: Path) -> None:
    with pytest.raises(SlaConfigError, match="file not found"):
        load_policy(tmp_path / "none.toml")
    bad = tmp_path / "bad.toml"
    bad.write_text("kinds = [", "utf-8")
    with pytest.raises(SlaConfigError, match="bad.toml: -: not valid TOML"):
        load_policy(bad)


def test_custom_policy_file(tmp_path: Path) -> None:
    path = tmp_path / "p.toml"
    path.write_text(
        """
[defaults]
warnings = [0.75]
reminder_every_hours = 0
max_reminders = 0
extension_max_working_days = 0
return_limit_hours = 0
escalation = [{ level = 1, after_hours = 0, notify = ["unit"] }]

[kinds.respond]
label = "回应"
hours = 24
anchor = "first_public"
scope = "event"
met_by = ["respond"]
""",
        "utf-8",
    )
    p = load_policy(path)
    kind = p.kind("respond")
    assert kind.hours == 24 and kind.severities is None and kind.reminder_every is None
    assert kind.return_limit is None and p.met_by("respond") == ["respond"]


def test_every_kind_key_is_documented_in_the_default_file() -> None:
    from response_sla.policy import KIND_KEYS

    root = Path(__file__).resolve().parents[2]
    header = (
        (root / "response_sla" / "default_policy.toml").read_text("utf-8").split("\n[defaults]")[0]
    )
    missing = [k for k in sorted(KIND_KEYS) if f"#   {k}" not in header and f"# {k}" not in header]
    assert not missing, f"keys not documented in default_policy.toml: {missing}"
