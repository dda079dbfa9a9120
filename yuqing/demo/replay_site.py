"""A local HTTP server that plays the demo scenario on boards in the four real formats.

The boards are the crawler tests' own renderers (``crawlers.localsite``): the 人民网 留言板 API,
a 12345 board in tables, a GBK Discuz! X3 forum and a 贴吧. Before answering any request the
timeline moves every post whose moment has come onto its board and every official reply whose
moment has come under its post, so the site needs no thread of its own.

``POST /_admin/publish`` (JSON: board, title, content, optional author / kind / domain) puts a
post on a board at once and answers with its board id and published time; ``POST
/_admin/reply`` (board, id, org, content) adds an official reply; ``POST /_admin/fault`` (board,
status) makes a board answer 403 / 429 (a WAF) or 200 with garbage, until status 0. The
end-to-end tests and the latency benchmark use them.
"""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from crawlers.localsite.boards import (
    Board,
    BoardPost,
    DiscuzBoard,
    GovTableBoard,
    PeopleBoard,
    TiebaBoard,
)
from crawlers.localsite.server import LocalSite, Reply
from yuqing.demo.scenario import BOARDS, RECURRING, SCENARIO, ScenarioPost

log = logging.getLogger(__name__)

Clock = Callable[[], datetime]
DEFAULT_PORT = 8765
# board ids start here and grow with time, as real boards number their threads
FIRST_ID = 71_000


@dataclass(frozen=True)
class Published:
    board: str
    id: int
    published_at: datetime


def build_boards() -> dict[str, Board]:
    """The four boards at the paths the sample configuration's sources point at."""
    return {
        "people": PeopleBoard([], fid=5396, prefix="/people", forum_name="七星关区委书记"),
        "gov": GovTableBoard([], prefix="/gov/qxg12345"),
        "discuz": DiscuzBoard([], fid=2, prefix="/discuz", charset="gbk"),
        "tieba": TiebaBoard([], prefix="/tieba"),
    }


class Timeline:
    """What is on the boards at each moment: the scripted scenario, then ordinary posts every
    ``recurring_every_s`` seconds, plus whatever is published through the admin endpoints."""

    def __init__(
        self,
        boards: dict[str, Board],
        start: datetime,
        clock: Clock,
        scenario: tuple[ScenarioPost, ...] = SCENARIO,
        recurring_every_s: int | None = 90,
        recurring_after_s: int = 360,
    ) -> None:
        self.boards = boards
        self.start = start
        self.clock = clock
        self._pending = sorted(scenario, key=lambda p: p.offset_s)
        self._replies: list[tuple[datetime, BoardPost, ScenarioPost]] = []
        self._recurring_every_s = recurring_every_s
        self._recurring_after_s = recurring_after_s
        self._recurring_done = 0
        self._next_id = FIRST_ID
        self._lock = threading.Lock()
        # board -> HTTP status it answers with instead of its pages (403: the WAF; 200: garbage)
        self.faults: dict[str, int] = {}

    def _put(self, board: str, post: ScenarioPost, at: datetime) -> BoardPost:
        self._next_id += 1
        item = BoardPost(
            id=self._next_id,
            title=post.title,
            content=post.content,
            published=at,
            author=post.author,
            type_name=post.kind,
            domain=post.domain,
            extra={"fav": post.likes, "replies": post.replies},
        )
        self.boards[board].posts.append(item)
        if post.reply is not None:
            self._replies.append((self.start + timedelta(seconds=post.reply.offset_s), item, post))
        return item

    def _due_recurring(self, elapsed: float) -> list[ScenarioPost]:
        if self._recurring_every_s is None or elapsed < self._recurring_after_s:
            return []
        due = int((elapsed - self._recurring_after_s) // self._recurring_every_s) + 1
        out = []
        for i in range(self._recurring_done, due):
            board, title, content, kind, domain = RECURRING[i % len(RECURRING)]
            round_ = i // len(RECURRING)
            out.append(
                ScenarioPost(
                    key=f"rec-{i}",
                    board=board,
                    offset_s=self._recurring_after_s + i * self._recurring_every_s,
                    title=title if round_ == 0 else f"{title}（第{round_ + 1}次反映）",
                    content=content,
                    kind=kind,
                    domain=domain,
                )
            )
        self._recurring_done = max(self._recurring_done, due)
        return out

    def advance(self) -> None:
        now = self.clock()
        elapsed = (now - self.start).total_seconds()
        with self._lock:
            while self._pending and self._pending[0].offset_s <= elapsed:
                post = self._pending.pop(0)
                self._put(post.board, post, self.start + timedelta(seconds=post.offset_s))
            for post in self._due_recurring(elapsed):
                self._put(post.board, post, self.start + timedelta(seconds=post.offset_s))
            for when, item, post in [r for r in self._replies if r[0] <= now]:
                assert post.reply is not None
                _answer(item, post.reply.org, post.reply.content, when)
                self._replies.remove((when, item, post))

    def publish(self, board: str, title: str, content: str, **extra: str) -> Published:
        if board not in self.boards:
            raise ValueError(f"unknown board {board!r}; expected one of {sorted(self.boards)}")
        self.advance()  # what was due goes first, so board ids keep growing with time
        now = self.clock()
        post = ScenarioPost(
            key="live",
            board=board,
            offset_s=int((now - self.start).total_seconds()),
            title=title,
            content=content,
            author=extra.get("author", "网友"),
            kind=extra.get("kind", "投诉/求助"),
            domain=extra.get("domain", "城建"),
        )
        with self._lock:
            item = self._put(board, post, now)
        return Published(board, item.id, now)

    def reply(self, board: str, post_id: int, org: str, content: str) -> datetime:
        item = self.boards[board].find(str(post_id))
        if item is None:
            raise ValueError(f"no post {post_id} on board {board}")
        now = self.clock()
        with self._lock:
            _answer(item, org, content, now)
        return now


def _answer(item: BoardPost, org: str, content: str, when: datetime) -> None:
    """The official reply as each board shows it: the thread's state and last answer time on
    the message boards, one more reply in a forum's or 贴吧's list."""
    item.reply_org, item.reply_content, item.reply_at, item.state = org, content, when, "已办理"
    item.extra["replies"] = int(str(item.extra.get("replies") or 0)) + 1


def _json(status: int, data: object) -> Reply:
    body = json.dumps(data, ensure_ascii=False).encode("utf-8")
    return Reply(status, body, {"Content-Type": "application/json; charset=utf-8"})


def _admin(timeline: Timeline) -> Callable[[str, str, str, bytes], Reply | None]:
    def handler(method: str, path: str, query: str, body: bytes) -> Reply | None:
        if not path.startswith("/_admin/"):
            timeline.advance()
            for board, status in timeline.faults.items():
                if path.startswith(timeline.boards[board].prefix):
                    return Reply(status, b"<html><body>Forbidden</body></html>"
                                 if status == 403 else b"garbage\x00\xff{{{<",
                                 {"Content-Type": "text/html"})
            return None
        if method != "POST":
            return _json(405, {"error": "POST only"})
        try:
            data = json.loads(body or b"{}")
            if path == "/_admin/publish":
                extra = {k: str(data[k]) for k in ("author", "kind", "domain") if k in data}
                p = timeline.publish(str(data["board"]), str(data["title"]),
                                     str(data["content"]), **extra)
                return _json(200, {"board": p.board, "id": p.id,
                                   "published_at": p.published_at.isoformat()})
            if path == "/_admin/fault":
                board, status = str(data["board"]), int(data.get("status") or 0)
                if board not in timeline.boards:
                    raise ValueError(f"unknown board {board!r}")
                if status:
                    timeline.faults[board] = status
                else:
                    timeline.faults.pop(board, None)
                return _json(200, {"faults": timeline.faults})
            if path == "/_admin/reply":
                at = timeline.reply(str(data["board"]), int(data["id"]), str(data["org"]),
                                    str(data["content"]))
                return _json(200, {"reply_at": at.isoformat()})
        except (ValueError, KeyError, TypeError) as exc:
            return _json(400, {"error": f"{type(exc).__name__}: {exc}"})
        return _json(404, {"error": f"no admin endpoint {path}"})

    return handler


@contextmanager
def replay_site(
    port: int = DEFAULT_PORT,
    *,
    clock: Clock = lambda: datetime.now(UTC),
    scenario: tuple[ScenarioPost, ...] = SCENARIO,
    recurring_every_s: int | None = 90,
    boards: dict[str, Board] | None = None,
) -> Iterator[tuple[str, Timeline]]:
    """Run the replay site on 127.0.0.1:``port`` (0: any free port); yields (base URL,
    timeline). ``boards`` replaces the four sample boards (the load benchmark runs ten)."""
    if boards is None:
        boards = build_boards()
        assert set(boards) == set(BOARDS)
    timeline = Timeline(boards, clock(), clock, scenario, recurring_every_s)
    site = LocalSite()
    site.add(_admin(timeline))
    for board in boards.values():
        site.add(board)
    with site.running(port) as running:
        log.info("replay site on %s", running.base)
        yield running.base, timeline
