"""A regular expression for a long list of words, factored by common prefixes.

Python's ``re`` tries the alternatives of ``a|b|c`` one after another at every position; a
trie-shaped pattern ("死(?:亡|者)?|受(?:伤|困)") checks one branch per first character. Matches
are the same as for the plain alternation sorted longest first.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any


def trie_pattern(words: Iterable[str]) -> str:
    """A pattern matching any of ``words``, longest first at each position."""
    root: dict[str, Any] = {}
    for word in words:
        if not word:
            continue
        node = root
        for ch in word:
            node = node.setdefault(ch, {})
        node[""] = True

    def build(node: dict[str, Any]) -> str:
        ends_here = "" in node
        branches = [re.escape(ch) + build(child) for ch, child in sorted(node.items()) if ch]
        if not branches:
            return ""
        body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
        # an optional tail keeps the longest match: the word may end here or go on
        return f"(?:{body})?" if ends_here else body

    return build(root)
