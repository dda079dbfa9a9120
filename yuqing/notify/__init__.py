"""Notifications: the outbox sender (email over SMTP or to files, 企业微信 / 钉钉 robots).

``flush_outbox(settings, sessions, now)`` is the one entry point the scheduler needs.
"""

from __future__ import annotations

from yuqing.notify.outbox import FlushResult, Transports, flush_outbox

__all__ = ["FlushResult", "Transports", "flush_outbox"]
