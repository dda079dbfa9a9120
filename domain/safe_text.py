"""Text made safe once, at the door: what the pipeline, the pages and the exports read.

A crawled title or body may carry anything a board lets through: control characters (a NUL or
``\\x01`` stops a spreadsheet export), bidirectional overrides (U+202E shows ``gpj.exe`` as
``exe.jpg`` and reorders a title on screen), lone surrogates from a JSON ``\\ud800`` escape
(which no UTF-8 database or file accepts), decomposed forms that compare unequal to the same
text typed by a person. ``normalise`` turns such text into plain NFC text; the text as fetched
is kept beside it (``evidence``) for a person who needs the original.

Each export sanitises again for its own format (``xlsx_cell``): a value that did not come
through the door (a unit's reply, an officer's note) must not break a file either.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from typing import Any

# C0 and C1 controls other than tab and newline, and DEL
_CONTROLS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
# embeddings, overrides and isolates (LRE RLE PDF LRO RLO, LRI RLI FSI PDI) and the Arabic
# letter mark; LRM / RLM only mark a direction and reorder nothing around them
_BIDI = re.compile("[\u202a-\u202e\u2066-\u2069\u061c]")
_SURROGATE = re.compile("[\ud800-\udfff]")
REPLACEMENT = "\ufffd"

# length limits of the stored fields (storage.models.Post)
TITLE_MAX = 500
CONTENT_MAX = 200_000


def normalise(text: str | None, limit: int | None = None) -> str:
    """NFC text without lone surrogates (replaced by U+FFFD), control characters other than
    newline and tab, or bidirectional overrides; CRLF and CR become newline; cut to ``limit``
    characters."""
    if not text:
        return ""
    out = _SURROGATE.sub(REPLACEMENT, text)
    out = out.replace("\r\n", "\n").replace("\r", "\n")
    out = _CONTROLS.sub("", out)
    out = _BIDI.sub("", out)
    out = unicodedata.normalize("NFC", out)
    if limit is not None and len(out) > limit:
        out = out[:limit]
    return out


def shown(text: str) -> str:
    """Text as a page or a message shows it: no control characters other than newline and tab,
    no bidirectional overrides (which reorder what a reader sees: a title could display as
    another). For text stored before it was normalised at the door."""
    return _BIDI.sub("", _CONTROLS.sub("", text.replace("\r\n", "\n")))


def is_clean(text: str | None) -> bool:
    return not text or normalise(text) == text


def evidence(text: str) -> str:
    """The text as fetched, storable anywhere: lone surrogates written as ``\\udXXX`` and NUL
    as ``\\x00`` (PostgreSQL stores neither), every other character as it was."""
    return text.encode("utf-8", "backslashreplace").decode("utf-8").replace("\x00", "\\x00")


def storable(value: Any) -> Any:
    """A JSON value (e.g. a post's raw API record) with every string made storable by
    ``evidence``: a lone surrogate deep inside a record no longer stops the post being saved."""
    if isinstance(value, str):
        return evidence(value) if _SURROGATE.search(value) or "\x00" in value else value
    if isinstance(value, Mapping):
        return {storable(k): storable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [storable(v) for v in value]
    return value


# openpyxl refuses these in a cell (openpyxl.cell.cell.ILLEGAL_CHARACTERS_RE)
_XLSX_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


def xlsx_cell(text: str) -> str:
    """A string a spreadsheet cell accepts: normalised, no characters XML 1.0 forbids."""
    return _XLSX_ILLEGAL.sub("", normalise(text))


def csv_cell(text: str) -> str:
    return normalise(text)
