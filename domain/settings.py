"""The one settings object: built at start-up from a TOML file and ``YUQING_*`` variables.

Nothing here runs at import time. ``load_settings`` is called once by the CLI (or a test) and the
resulting ``Settings`` is passed into every constructor that needs it.
"""

from __future__ import annotations

import difflib
import os
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal, get_args

from pydantic import BaseModel, Field, ValidationError, field_validator

from domain.jurisdiction import Jurisdiction, Strict, check_email
from domain.vocabulary import SPIDER_KINDS

DEFAULT_CONFIG = Path("config/yuqing.toml")

class Source(Strict):
    id: str = Field(pattern=r"^[a-z][a-z0-9_-]*$")
    name: str
    spider: str
    url: str
    interval_s: int = Field(default=600, ge=10)
    enabled: bool = True
    scoped: bool = False  # board belongs to the jurisdiction: keep every post
    obey_robots: bool = True
    params: dict[str, Any] = {}

    @field_validator("spider")
    @classmethod
    def _spider(cls, v: str) -> str:
        if v not in SPIDER_KINDS:
            raise ValueError(f"unknown spider {v!r}; expected one of {list(SPIDER_KINDS)}")
        return v

    @field_validator("url")
    @classmethod
    def _url(cls, v: str) -> str:
        if not v.startswith(("http://", "https://")):
            raise ValueError(f"expected an http(s) URL, got {v!r}")
        return v


class DatabaseSettings(Strict):
    url: str = ""  # empty: SQLite file under var_dir


class CrawlSettings(Strict):
    user_agent: str = "yuqing/0.1 (+政务舆情监测; contact the operator of this deployment)"
    revisit_days: int = Field(default=7, ge=0)
    unhealthy_after: int = Field(default=3, ge=1)
    concurrency_per_domain: int = Field(default=2, ge=1)
    download_delay_s: float = Field(default=0.5, ge=0)
    max_pages_per_run: int = Field(default=200, ge=1)
    # 403 / 429 / 5xx: wait backoff_base_s, then twice that, … up to backoff_max_s
    backoff_base_s: float = Field(default=15.0, ge=0.1)
    backoff_max_s: float = Field(default=300.0, ge=1)
    redis_url: str = ""


class MailSettings(Strict):
    backend: Literal["dryrun", "smtp"] = "dryrun"
    host: str = "127.0.0.1"
    port: int = Field(default=25, ge=1, le=65535)
    security: Literal["none", "starttls", "ssl"] = "none"
    username: str = ""
    password: str = ""
    sender: str = "yuqing@qxg.example"
    reply_to: str = ""
    timeout_s: float = Field(default=30, gt=0)
    max_attempts: int = Field(default=12, ge=1)
    # a row still "sending" this long after it was claimed belongs to a flusher that died and
    # is sent again; a live flush stops starting sends after half of it
    lease_s: int = Field(default=600, ge=4)
    # a 临期提醒 or 督办 that falls due this soon after a unit's 交办 waits until it has
    # passed, so the unit is not chased in the same breath as it is told
    quiet_after_assignment_s: int = Field(default=600, ge=0)

    @field_validator("sender", "reply_to")
    @classmethod
    def _address(cls, v: str) -> str:
        return check_email(v) if v else v


class ChatWebhook(Strict):
    kind: Literal["wecom", "dingtalk"]
    url: str
    secret: str = ""  # 钉钉 加签


class WebSettings(Strict):
    host: str = "127.0.0.1"
    port: int = Field(default=8000, ge=1, le=65535)
    base_url: str = "http://127.0.0.1:8000"
    secret_key: str = ""
    signed_link_days: int = Field(default=7, ge=1)
    # a dashboard session ends after this long without a page, or this long after the login
    session_idle_minutes: int = Field(default=120, ge=1)
    session_max_hours: int = Field(default=12, ge=1)
    # addresses (or networks) of reverse proxies whose X-Forwarded-For is believed; empty: the
    # connecting address is the client's
    trusted_proxies: list[str] = []
    # failed logins in 15 minutes before an account is refused from one address, and before
    # one address is refused for every account it has not signed in to before
    login_failures_per_account: int = Field(default=5, ge=1)
    login_failures_per_address: int = Field(default=20, ge=1)
    password_min_score: int = Field(default=3, ge=0, le=4)  # zxcvbn's 0-4 strength estimate

    @field_validator("trusted_proxies")
    @classmethod
    def _proxies(cls, v: list[str]) -> list[str]:
        import ipaddress

        for entry in v:
            try:
                ipaddress.ip_network(entry.strip(), strict=False)
            except ValueError as exc:
                raise ValueError(f"trusted_proxies: {entry!r} is no address or network") from exc
        return v


class DigestSettings(Strict):
    weekday: Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"] = "mon"
    time: str = Field(default="08:30", pattern=r"^([01]\d|2[0-3]):[0-5]\d$")
    bar: float = Field(default=0.85, gt=0, le=1)


class SlaSettings(Strict):
    policy: str = ""  # empty: the default policy shipped with response_sla
    calendar_overrides: str = ""  # folder of YYYY.toml holiday arrangements
    office_close: str = Field(default="24:00", pattern=r"^(([01]\d|2[0-3]):[0-5]\d|24:00)$")


class ClassifierSettings(Strict):
    # grading tables of each kind of emergency (config/grading.toml); empty: the national
    # tables shipped with the classifier. Relative to the directory the service starts in.
    grading: str = ""
    # the guarded retraining job: every week (weekday, time) a model is trained on the shipped
    # data plus people's corrections and activated only if it is not worse (see
    # classifier/retrain.py); the newest share ``retrain_holdout`` of the corrections is held
    # out to check it, and it may lose at most ``retrain_tolerance`` macro-F1 on any split
    retrain: bool = True
    retrain_weekday: Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"] = "sun"
    retrain_time: str = Field(default="03:00", pattern=r"^([01]\d|2[0-3]):[0-5]\d$")
    retrain_holdout: float = Field(default=0.2, gt=0, lt=1)
    retrain_tolerance: float = Field(default=0.01, ge=0, le=1)
    # folder with tipdm2020c/ and people_liuyan_guizhou/; empty: $YUQING_SHARED_DIR/data, else
    # ../shared/data beside the installation
    training_data: str = ""


class MetricsSettings(Strict):
    """``/metrics`` for Prometheus. It answers the addresses in ``allow`` (single addresses or
    networks such as ``10.0.8.0/24``) and any request bearing ``token``."""

    enabled: bool = True
    allow: list[str] = ["127.0.0.1", "::1"]
    token: str = ""

    @field_validator("allow")
    @classmethod
    def _allow(cls, v: list[str]) -> list[str]:
        import ipaddress

        for entry in v:
            try:
                ipaddress.ip_network(entry, strict=False)
            except ValueError:
                raise ValueError(f"not an IP address or network: {entry!r}") from None
        return v


class LogSettings(Strict):
    # text: one readable line per record; json: one JSON object per line, for a log shipper
    format: Literal["text", "json"] = "text"


class BackupSettings(Strict):
    """The scheduled backup of the embedded SQLite database (PostgreSQL: pg_dump, see the
    README). ``dir`` empty: ``var_dir/backups``."""

    enabled: bool = True
    time: str = Field(default="03:30", pattern=r"^([01]\d|2[0-3]):[0-5]\d$")
    keep: int = Field(default=14, ge=1)
    dir: str = ""


class Settings(Strict):
    config_path: Path | None = None
    var_dir: Path = Path("var")
    timezone: str = "Asia/Shanghai"
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"
    database: DatabaseSettings = DatabaseSettings()
    crawl: CrawlSettings = CrawlSettings()
    mail: MailSettings = MailSettings()
    chat: list[ChatWebhook] = []
    web: WebSettings = WebSettings()
    digest: DigestSettings = DigestSettings()
    sla: SlaSettings = SlaSettings()
    classifier: ClassifierSettings = ClassifierSettings()
    metrics: MetricsSettings = MetricsSettings()
    log: LogSettings = LogSettings()
    backup: BackupSettings = BackupSettings()
    jurisdiction: Jurisdiction
    sources: list[Source] = []

    @property
    def database_url(self) -> str:
        if self.database.url:
            return self.database.url
        return f"sqlite:///{(self.var_dir / 'yuqing.db').as_posix()}"

    @property
    def redis_url(self) -> str:
        return self.crawl.redis_url

    def source(self, source_id: str) -> Source:
        for s in self.sources:
            if s.id == source_id:
                return s
        raise KeyError(source_id)


@dataclass(frozen=True)
class EnvVar:
    name: str
    path: tuple[str, ...]
    help: str


# Every environment variable yuqing reads, with the setting it overrides. The README lists them
# all (a test checks that), so this table is the single place to add one.
ENV_VARS: tuple[EnvVar, ...] = (
    EnvVar("YUQING_VAR_DIR", ("var_dir",), "folder for the SQLite file, mail dry-run, models"),
    EnvVar("YUQING_DATABASE_URL", ("database", "url"), "SQLAlchemy URL; empty = SQLite in var/"),
    EnvVar("YUQING_REDIS_URL", ("crawl", "redis_url"), "Redis URL: crawlers share a queue"),
    EnvVar("YUQING_LOG_LEVEL", ("log_level",), "DEBUG, INFO, WARNING or ERROR"),
    EnvVar("YUQING_LOG_FORMAT", ("log", "format"), "text or json (one JSON object a line)"),
    EnvVar("YUQING_METRICS_TOKEN", ("metrics", "token"), "bearer token that opens /metrics"),
    EnvVar("YUQING_MAIL_BACKEND", ("mail", "backend"), "dryrun (files in var/mail) or smtp"),
    EnvVar("YUQING_SMTP_HOST", ("mail", "host"), "SMTP server host"),
    EnvVar("YUQING_SMTP_PORT", ("mail", "port"), "SMTP server port"),
    EnvVar("YUQING_SMTP_SECURITY", ("mail", "security"), "none, starttls or ssl"),
    EnvVar("YUQING_SMTP_USERNAME", ("mail", "username"), "SMTP login"),
    EnvVar("YUQING_SMTP_PASSWORD", ("mail", "password"), "SMTP password"),
    EnvVar("YUQING_MAIL_LEASE_S", ("mail", "lease_s"), "seconds before an interrupted send is retried"),
    EnvVar("YUQING_WEB_HOST", ("web", "host"), "dashboard bind address"),
    EnvVar("YUQING_WEB_PORT", ("web", "port"), "dashboard port"),
    EnvVar("YUQING_BASE_URL", ("web", "base_url"), "public URL of the dashboard, for links"),
    EnvVar("YUQING_SECRET_KEY", ("web", "secret_key"), "signs sessions and email links"),
)


@dataclass(frozen=True)
class Problem:
    where: str  # file or environment variable
    key: str  # dotted path of the setting
    message: str

    def __str__(self) -> str:
        return f"{self.where}: {self.key}: {self.message}"


class ConfigError(Exception):
    """The configuration is unusable; ``problems`` lists every mistake found."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))


def _set_path(data: dict[str, Any], path: tuple[str, ...], value: str) -> None:
    node = data
    for key in path[:-1]:
        node = node.setdefault(key, {})
    node[path[-1]] = value


def _loc(loc: tuple[int | str, ...], data: Mapping[str, Any]) -> str:
    """Turn a pydantic location into a readable key, naming list entries by their id."""
    parts: list[str] = []
    node: Any = data
    for item in loc:
        if isinstance(item, int):
            label = str(item)
            if isinstance(node, list) and item < len(node) and isinstance(node[item], dict):
                ident = node[item].get("id") or node[item].get("name")
                if ident:
                    label = f"{item}:{ident}"
            parts[-1] = f"{parts[-1]}[{label}]" if parts else f"[{label}]"
            node = node[item] if isinstance(node, list) and item < len(node) else None
        else:
            parts.append(str(item))
            node = node.get(item) if isinstance(node, dict) else None
    return ".".join(parts)


def _model_at(loc: tuple[int | str, ...]) -> type[BaseModel] | None:
    """The settings model that holds the key at ``loc`` (list entries stepped through)."""
    model: type[BaseModel] = Settings
    for item in loc[:-1]:
        if isinstance(item, int):
            continue
        field = model.model_fields.get(str(item))
        if field is None:
            return None
        inner = field.annotation
        for arg in (inner, *get_args(inner)):
            if isinstance(arg, type) and issubclass(arg, BaseModel):
                model = arg
                break
        else:
            return None
    return model


def _did_you_mean(loc: tuple[int | str, ...], msg: str) -> str:
    """"unknown key" with the nearest known one, for a typo in the file."""
    model = _model_at(loc)
    if model is None or not loc:
        return msg
    known = list(model.model_fields)
    close = difflib.get_close_matches(str(loc[-1]), known, n=1, cutoff=0.6)
    hint = f"; did you mean {close[0]!r}?" if close else f"; expected one of {known}"
    return f"unknown key {str(loc[-1])!r}{hint}"


def _cross_checks(data: Mapping[str, Any], where: str) -> list[Problem]:
    """References between entries, checked on the raw data so that they are reported
    together with field errors (a user fixing a config wants every problem at once)."""
    problems: list[Problem] = []
    j = data.get("jurisdiction")
    if not isinstance(j, dict):
        return problems
    units = [u for u in j.get("units", []) if isinstance(u, dict)]
    ids = [u.get("id") for u in units]
    seen: set[str] = set()
    owners: dict[str, str] = {}
    for i, u in enumerate(units):
        uid = str(u.get("id"))
        key = f"jurisdiction.units[{i}:{uid}]"
        if uid in seen:
            problems.append(Problem(where, f"{key}.id", f"duplicate unit id {uid!r}"))
        seen.add(uid)
        parent = u.get("parent")
        if parent is not None and parent not in ids:
            problems.append(
                Problem(where, f"{key}.parent", f"unknown unit {parent!r}; expected a unit id")
            )
        names = [u.get("name"), *u.get("short_names", []), *u.get("aliases", [])]
        for name in names:
            if not isinstance(name, str):
                continue
            if name in owners and owners[name] != uid:
                problems.append(
                    Problem(where, key, f"name {name!r} is also used by unit {owners[name]!r}")
                )
            owners[name] = uid
    for field in ("fallback_unit", "government_office", "propaganda_unit"):
        value = j.get(field)
        if value is not None and value not in ids:
            problems.append(
                Problem(where, f"jurisdiction.{field}", f"unknown unit {value!r}; expected a unit id")
            )
    leads = j.get("emergency_leads")
    if isinstance(leads, dict):
        for kind, value in leads.items():
            if value not in ids:
                problems.append(Problem(where, f"jurisdiction.emergency_leads.{kind}",
                                        f"unknown unit {value!r}; expected a unit id"))
    src_ids: set[str] = set()
    for i, src in enumerate(data.get("sources", [])):
        if not isinstance(src, dict):
            continue
        sid = str(src.get("id"))
        if sid in src_ids:
            problems.append(Problem(where, f"sources[{i}:{sid}].id", "duplicate source id"))
        src_ids.add(sid)
    return problems


def load_settings(
    config_path: Path | str | None = None,
    environ: Mapping[str, str] | None = None,
) -> Settings:
    """Read the TOML file and the environment, validate everything, and return Settings.

    Raises ConfigError listing every problem found (not just the first).
    """
    env = os.environ if environ is None else environ
    path = Path(config_path) if config_path is not None else DEFAULT_CONFIG
    where = str(path)
    try:
        with path.open("rb") as fh:
            data: dict[str, Any] = tomllib.load(fh)
    except FileNotFoundError:
        raise ConfigError([Problem(where, "-", "file not found")]) from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError([Problem(where, "-", f"not valid TOML: {exc}")]) from None

    from_env: dict[tuple[str, ...], str] = {}
    for var in ENV_VARS:
        if var.name in env:
            _set_path(data, var.path, env[var.name])
            from_env[var.path] = var.name
    data["config_path"] = str(path)
    if "var_dir" in data and not Path(str(data["var_dir"])).is_absolute() and "var_dir" not in {
        p[0] for p in from_env
    }:
        # relative to the directory the service is started from, like every CLI path
        data["var_dir"] = str(Path(str(data["var_dir"])))

    problems: list[Problem] = []
    settings: Settings | None = None
    try:
        settings = Settings.model_validate(data)
    except ValidationError as exc:
        for err in exc.errors():
            loc = tuple(err["loc"])
            origin = next(
                (name for p, name in from_env.items() if loc[: len(p)] == p), where
            )
            msg = err["msg"]
            if err["type"] == "extra_forbidden":
                msg = _did_you_mean(loc, msg)
            problems.append(Problem(origin, _loc(loc, data), msg))
    problems.extend(_cross_checks(data, where))
    if problems or settings is None:
        raise ConfigError(problems)
    return settings
