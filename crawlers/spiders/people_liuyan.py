"""人民网 地方领导留言板 (liuyan.people.com.cn): the JSON list and detail APIs.

The list is newest first and pages by ``lastItem`` = the last tid of the previous page. Each
request carries ``appCode``, the JSON-encoded ``param`` and ``signature`` = md5(path + param +
key), as the site's own front end sends them.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import AsyncIterator, Iterator
from typing import Any

import scrapy
from scrapy.http import Response

from crawlers.items import PostItem
from crawlers.spiders.base import (
    SourceSpider,
    detail_meta,
    list_meta,
    list_state,
    row_state,
)
from crawlers.text import clean, clean_block, from_epoch, to_int


def signed_body(path: str, param: dict[str, Any], app_code: str, key: str) -> str:
    encoded = json.dumps(param, ensure_ascii=False, separators=(",", ":"))
    signature = hashlib.md5((path + encoded + key).encode("utf-8")).hexdigest()
    return json.dumps(
        {"appCode": app_code, "token": "", "signature": signature, "param": encoded},
        ensure_ascii=False,
    )


def _entries(payload: Any) -> list[dict[str, Any]]:
    data = payload.get("resultData") if isinstance(payload, dict) else None
    if not isinstance(data, dict):
        return []
    for key in ("contentList", "data"):
        value = data.get(key)
        if isinstance(value, list):
            return [e for e in value if isinstance(e, dict)]
    return []


def split_content(entries: list[dict[str, Any]]) -> tuple[dict[str, Any], dict[str, Any] | None]:
    """The detail API lists the message and the official replies together; a reply is the
    entry that names the answering organization. The newest reply wins."""
    replies = [e for e in entries if e.get("organization")]
    thread = next((e for e in entries if "stateInfo" in e and not e.get("organization")), None)
    if thread is None:
        thread = next((e for e in entries if e not in replies and e.get("content")), {})
    reply = max(replies, key=lambda e: to_int(e.get("dateline")), default=None)
    return thread, reply


class PeopleLiuyanSpider(SourceSpider):
    name = "people_liuyan"
    default_params: dict[str, Any] = {
        "page_size": 10,
        "type_ids": [],
        "list_path": "/v1/threads/list/df",
        "detail_path": "/v1/threads/content",
        "app_code": "PC42ce3bfa4980a9",
        "sign_key": "a2eb17f65d6f4b3f",
    }

    def _post(self, path: str, param: dict[str, Any], **kwargs: Any) -> scrapy.Request:
        body = signed_body(path, param, self.params["app_code"], self.params["sign_key"])
        return scrapy.Request(
            self.start_url.rstrip("/") + path,
            method="POST",
            body=body.encode("utf-8"),
            headers={"Content-Type": "application/json;charset=UTF-8",
                     "Accept": "application/json, text/plain, */*"},
            **kwargs,
        )

    def list_request(self, type_id: Any, last_item: str, page: int) -> scrapy.Request:
        param: dict[str, Any] = {"fid": self.params["fid"], "showUnAnswer": 1}
        if type_id is not None:
            param["typeId"] = type_id
        param.update({"lastItem": last_item, "position": "0",
                      "rows": int(self.params["page_size"]), "orderType": 2})
        return self._post(self.params["list_path"], param, callback=self.parse_list,
                          meta=list_meta(page), cb_kwargs={"type_id": type_id, "page": page})

    async def start(self) -> AsyncIterator[Any]:
        if "fid" not in self.params:
            raise ValueError(f"source {self.source_id}: params.fid is required")
        for type_id in self.params["type_ids"] or [None]:
            yield self.list_request(type_id, "", 1)

    def parse_list(self, response: Response, type_id: Any, page: int) -> Iterator[Any]:
        try:
            payload = json.loads(response.body)
        except ValueError as exc:
            self.skip(response, "bad_json", exc)
            return
        rows = _entries(payload)
        if not rows and not (isinstance(payload, dict) and "resultData" in payload):
            self.skip(response, "bad_payload", str(payload)[:200])
            return
        for row in rows:
            tid = str(row.get("tid") or "").strip()
            if not tid:
                self.skip(response, "missing_id", str(row)[:200])
                continue
            yield self._post(
                self.params["detail_path"], {"tid": tid, "fromTrash": 0},
                callback=self.parse_detail,
                meta=detail_meta(
                    tid,
                    from_epoch(row.get("createDateline")),
                    list_state(row.get("stateInfo"), row.get("lastAnswerTime")),
                ),
                cb_kwargs={"row": row},
            )
        if len(rows) >= int(self.params["page_size"]):
            last = str(rows[-1].get("tid") or "")
            if last:
                yield self.list_request(type_id, last, page + 1)

    def parse_detail(self, response: Response, row: dict[str, Any]) -> Iterator[PostItem]:
        try:
            payload = json.loads(response.body)
        except ValueError as exc:
            self.skip(response, "bad_json", exc)
            return
        entries = _entries(payload)
        thread, reply = split_content(entries)
        tid = str(row["tid"])
        site = self.params.get("site_url") or self.start_url.rstrip("/")
        yield PostItem(
            source_id=self.source_id,
            external_id=tid,
            url=f"{site}/threads/content?tid={tid}",
            title=clean(row.get("subject") or thread.get("subject")),
            content=clean_block(str(thread.get("content") or row.get("content") or "").splitlines()),
            author=clean(thread.get("nickName") or row.get("nickName")) or None,
            published_at=from_epoch(row.get("createDateline") or thread.get("createDateline")),
            board_type=clean(row.get("typeName") or thread.get("typeName")) or None,
            board_domain=clean(row.get("domainName") or thread.get("domainName")) or None,
            board_state=clean(thread.get("stateInfo") or row.get("stateInfo")) or None,
            likes=to_int(row.get("favNum")),
            reply_content=clean_block(str(reply.get("content") or "").splitlines()) or None
            if reply else None,
            reply_at=from_epoch(reply.get("dateline")) if reply else None,
            reply_org=clean(reply.get("organization")) or None if reply else None,
            raw={"list": row, "detail": entries},
            list_state=row_state(response),
        )
