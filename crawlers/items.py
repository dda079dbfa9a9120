"""What a spider yields: one post as the board shows it, times already in UTC."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any


@dataclass
class PostItem:
    source_id: str
    external_id: str
    url: str
    title: str = ""
    content: str = ""
    author: str | None = None
    published_at: datetime | None = None
    board_type: str | None = None  # 人民网 typeName (咨询 / 投诉/求助 / 建言)
    board_domain: str | None = None  # 人民网 domainName (城建, 交通, …)
    board_state: str | None = None  # 待回复 / 办理中 / 已办理, a 12345 board's 状态
    board_unit: str | None = None  # 处理部门
    replies: int = 0
    likes: int = 0
    reply_content: str | None = None  # the official reply shown on the board
    reply_at: datetime | None = None
    reply_org: str | None = None
    raw: dict[str, Any] = field(default_factory=dict)
    list_state: str | None = None  # the list row's state / reply count (``base.list_state``)
    mentions: list[str] = field(default_factory=list)  # filled by RelevancePipeline
