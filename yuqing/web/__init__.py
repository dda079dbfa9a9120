"""The web dashboard: duty officers' queue, event pages, unit cases, scoreboard, sources.

``create_app(settings, sessions)`` builds the Starlette application; nothing happens at import.
"""

from __future__ import annotations

from yuqing.web.app import create_app

__all__ = ["create_app"]
