"""De-identification for people who need not see raw personal data (seed 000: 去标识化).

The classifier's ``mask_pii`` is the reference; until it is importable the patterns below
cover the identifiers that matter most (mobile and landline numbers, ID card numbers, email).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import cache

_PATTERNS: tuple[tuple[re.Pattern[str], str], ...] = (
    (
        re.compile(r"(?<!\d)\d{6}(?:19|20)\d{2}(?:0[1-9]|1[0-2])\d{2}\d{3}[\dXx](?!\d)"),
        "[身份证号]",
    ),
    (re.compile(r"(?<!\d)(?:\+?86[- ]?)?1[3-9]\d[- ]?\d{4}[- ]?\d{4}(?!\d)"), "[手机号]"),
    (re.compile(r"(?<!\d)0\d{2,3}[- ]?\d{7,8}(?!\d)"), "[电话]"),
    (re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+"), "[邮箱]"),
)


def _fallback(text: str) -> str:
    for pattern, replacement in _PATTERNS:
        text = pattern.sub(replacement, text)
    return text


@cache
def _masker() -> Callable[[str], str]:
    try:
        from classifier.masking import mask_pii
    except ImportError:
        return _fallback

    def masked(text: str) -> str:
        result = mask_pii(text)
        # tolerate an implementation that returns (text, findings)
        return result[0] if isinstance(result, tuple) else str(result)

    return masked


def mask(text: str | None) -> str:
    return _masker()(text) if text else ""
