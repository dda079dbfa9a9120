"""Group-chat robots: 企业微信 群机器人 and 钉钉 自定义机器人, through their webhook JSON.

- 企业微信: POST ``{"msgtype": "markdown", "markdown": {"content": …}}`` to the robot URL
  (``…/cgi-bin/webhook/send?key=…``); content at most 4096 bytes.
- 钉钉: POST ``{"msgtype": "markdown", "markdown": {"title": …, "text": …}}`` to
  ``…/robot/send?access_token=…``. With 加签, ``timestamp`` (ms) and ``sign`` are added to the
  URL: sign = urlencode(base64(HMAC-SHA256(key=secret, msg=f"{timestamp}\\n{secret}"))).

Both answer HTTP 200 with ``{"errcode": 0, "errmsg": "ok"}``; any other errcode is a
failure. Rate limits and "system busy" are temporary; anything else (bad key, signature or
keyword check failed, malformed message) is permanent. URLs carry the robot's key, so errors
and files name the host only.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import time
from collections.abc import Callable
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import requests

from domain.settings import ChatWebhook
from yuqing.notify.message import ChatNotice
from yuqing.notify.transport import PermanentError, TemporaryError

WECOM_MAX_BYTES = 4096
DINGTALK_MAX_BYTES = 18000
# -1 system busy; 45009 / 45033 企业微信 rate limits; 130101 / 410100 钉钉 "send too fast";
# 90030 钉钉 webhook quota
TEMPORARY_ERRCODES = frozenset({-1, 45009, 45033, 130101, 410100, 90030})


def robot_id(robot: ChatWebhook) -> str:
    """Names a robot in outbox rows without storing its key."""
    return hashlib.sha256(robot.url.encode("utf-8")).hexdigest()[:12]


def _clip(text: str, max_bytes: int) -> str:
    data = text.encode("utf-8")
    if len(data) <= max_bytes:
        return text
    return data[: max_bytes - 3].decode("utf-8", "ignore") + "…"


def wecom_payload(notice: ChatNotice) -> dict[str, Any]:
    return {"msgtype": "markdown", "markdown": {"content": _clip(notice.markdown, WECOM_MAX_BYTES)}}


def dingtalk_payload(notice: ChatNotice) -> dict[str, Any]:
    return {
        "msgtype": "markdown",
        "markdown": {"title": notice.title, "text": _clip(notice.markdown, DINGTALK_MAX_BYTES)},
    }


def payload_for(robot: ChatWebhook, notice: ChatNotice) -> dict[str, Any]:
    return wecom_payload(notice) if robot.kind == "wecom" else dingtalk_payload(notice)


def dingtalk_sign(secret: str, timestamp_ms: int) -> str:
    """The base64 signature (before URL encoding) of 钉钉's 加签 mode."""
    mac = hmac.new(
        secret.encode("utf-8"), f"{timestamp_ms}\n{secret}".encode(), hashlib.sha256
    ).digest()
    return base64.b64encode(mac).decode("ascii")


def signed_url(url: str, secret: str, timestamp_ms: int) -> str:
    parts = urlsplit(url)
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True)
             if k not in ("timestamp", "sign")]
    query += [("timestamp", str(timestamp_ms)), ("sign", dingtalk_sign(secret, timestamp_ms))]
    return urlunsplit(parts._replace(query=urlencode(query)))


class WebhookTransport:
    """Posts to 企业微信 or 钉钉 robots with ``requests``."""

    def __init__(
        self,
        timeout_s: float = 10.0,
        http: requests.Session | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.timeout_s = timeout_s
        self.http = http or requests.Session()
        self.clock = clock  # 钉钉 checks the timestamp against its own clock: real time

    def send(self, robot: ChatWebhook, notice: ChatNotice, *, name: str) -> None:
        url = robot.url
        if robot.kind == "dingtalk" and robot.secret:
            url = signed_url(url, robot.secret, int(self.clock() * 1000))
        host = urlsplit(robot.url).netloc
        try:
            response = self.http.post(
                url, json=payload_for(robot, notice), timeout=self.timeout_s
            )
        except (requests.ConnectionError, requests.Timeout) as exc:
            raise TemporaryError(
                f"cannot reach {robot.kind} robot at {host}: {type(exc).__name__}",
                unavailable=True,
            ) from None
        except requests.RequestException as exc:
            raise TemporaryError(f"{robot.kind} robot at {host}: {type(exc).__name__}") from None
        status = response.status_code
        if status == 429 or status >= 500:
            raise TemporaryError(f"{robot.kind} robot at {host}: HTTP {status}")
        if status >= 400:
            raise PermanentError(f"{robot.kind} robot at {host}: HTTP {status}")
        try:
            body = response.json()
        except ValueError:
            raise TemporaryError(
                f"{robot.kind} robot at {host}: HTTP {status} without a JSON answer"
            ) from None
        raw = body.get("errcode", 0) if isinstance(body, dict) else 0
        try:
            errcode = int(raw)
        except (TypeError, ValueError):
            errcode = -2  # not a number: treat like an unknown error code
        if errcode != 0:
            message = f"{robot.kind} robot errcode {errcode}: {body.get('errmsg', '')}"
            if errcode in TEMPORARY_ERRCODES:
                raise TemporaryError(message)
            raise PermanentError(message)

    def close(self) -> None:
        self.http.close()
