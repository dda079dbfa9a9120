"""Demo accounts: one per role, and a unit account for the units the scenario routes to."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from storage import models
from storage.enums import Role
from yuqing.web.security import hash_password

# the demo runs on a laptop, on loopback; never use these anywhere else
DEMO_PASSWORD = "demo-pass-2026"


@dataclass(frozen=True)
class DemoAccount:
    username: str
    role: Role
    unit_id: str | None
    display_name: str


DEMO_ACCOUNTS = (
    DemoAccount("admin", Role.ADMIN, None, "系统管理员"),
    DemoAccount("duty", Role.DUTY, None, "网信办值班员"),
    DemoAccount("leader", Role.LEADER, None, "区领导"),
    DemoAccount("jtj", Role.UNIT, "jtj", "区交通局"),
    DemoAccount("haizijie", Role.UNIT, "haizijie", "海子街镇"),
    DemoAccount("hongshan", Role.UNIT, "hongshan", "洪山街道"),
    DemoAccount("zjj", Role.UNIT, "zjj", "区住建局"),
)


def ensure_demo_accounts(session: Session, now: datetime) -> list[DemoAccount]:
    """Create the demo accounts that are missing (units absent from the directory skipped)."""
    existing = set(session.scalars(select(models.User.username)))
    out = []
    for acct in DEMO_ACCOUNTS:
        if acct.unit_id and session.get(models.Unit, acct.unit_id) is None:
            continue
        out.append(acct)
        if acct.username in existing:
            continue
        session.add(models.User(username=acct.username, display_name=acct.display_name,
                                password_hash=hash_password(DEMO_PASSWORD), role=acct.role,
                                unit_id=acct.unit_id, active=True, created_at=now))
    return out
