"""What a notification says, independent of how it travels (email, chat robot, a file)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Mailbox:
    name: str
    address: str


@dataclass(frozen=True)
class ChatNotice:
    """The short form for a group chat: a title and a few lines of markdown."""

    title: str
    markdown: str


@dataclass(frozen=True)
class Notice:
    kind: str
    subject: str
    to: tuple[Mailbox, ...]
    cc: tuple[Mailbox, ...]
    html: str
    text: str
    chat: ChatNotice
    # (content id, bytes, image subtype) shown inside the HTML as cid:<content id>
    inline_images: tuple[tuple[str, bytes, str], ...] = ()
    # (file name, MIME maintype, MIME subtype, bytes)
    attachments: tuple[tuple[str, str, str, bytes], ...] = ()
