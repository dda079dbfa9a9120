"""The dashboard's formatting helpers live in ``yuqing.display``, shared with the emails and the
digest; this name stays for the modules that import ``http_url`` from here."""

from __future__ import annotations

from yuqing.display import http_url

__all__ = ["http_url"]
