"""What a transport promises: send one message, or raise a ``DeliveryError`` that says whether
trying again later can help.

The outbox decides what a failure means for the row (retry with backoff, or FAILED); a
transport only classifies the failure it saw.
"""

from __future__ import annotations

from datetime import datetime
from email.message import EmailMessage
from typing import Protocol

from domain.settings import ChatWebhook
from yuqing.notify.message import ChatNotice


class DeliveryError(Exception):
    """Sending failed. ``temporary``: the same message may go through later.

    ``unavailable``: the channel itself is down (no connection, login refused), so the other
    messages for it in this flush are not tried now; they wait for the same retry time.
    """

    temporary: bool = False

    def __init__(self, message: str, *, unavailable: bool = False) -> None:
        super().__init__(message)
        self.unavailable = unavailable


class TemporaryError(DeliveryError):
    temporary = True


class PermanentError(DeliveryError):
    temporary = False


class Held(TemporaryError):
    """Not to be sent before ``until``: a hold, not a failure. The row waits until then and
    the try is given back, so a long hold never uses up the message's attempts."""

    def __init__(self, message: str, *, until: datetime) -> None:
        super().__init__(message)
        self.until = until


class EmailTransport(Protocol):
    def send(self, message: EmailMessage) -> str | None:
        """Send one message; return a note worth keeping on the row (recipients the server
        refused while accepting the others), or None."""

    def close(self) -> None: ...


class ChatTransport(Protocol):
    def send(self, robot: ChatWebhook, notice: ChatNotice, *, name: str) -> None:
        """Post ``notice`` to ``robot``; ``name`` identifies the message in logs and files."""

    def close(self) -> None: ...
