"""No place name of China in code below the configuration: the jurisdiction's places come
from its configuration, the rest of China from the division data."""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

from domain.divisions import divisions

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("classifier", "response_sla", "crawlers")
# content, not code: the replay site serves sample pages of the sample county's boards
ALLOWED_FILES = {"crawlers/localsite/boards.py", "crawlers/localsite/server.py"}
# words that contain or are a division's name and mean something else here
ALLOWED_WORDS = {"城区", "矿区", "全省", "东北", "西北", "华北", "华南", "华东", "华中", "朝鲜"}


@lru_cache(maxsize=1)
def names() -> re.Pattern[str]:
    out: set[str] = set()
    for d in divisions():
        out.add(d.name)
        if d.level != "county" and len(d.short) >= 2:
            out.add(d.short)
    out -= ALLOWED_WORDS
    return re.compile("|".join(sorted(map(re.escape, out), key=len, reverse=True)))


def test_no_division_name_in_code() -> None:
    found: list[str] = []
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            rel = path.relative_to(ROOT).as_posix()
            if rel in ALLOWED_FILES:
                continue
            for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
                for m in names().finditer(line):
                    found.append(f"{rel}:{n}: {m.group(0)}")
    assert found == []
