"""A small threaded HTTP server on the loopback interface with a routing callback."""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit


@dataclass
class Reply:
    status: int = 200
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)


Handler = Callable[[str, str, str, bytes], Reply | None]  # method, path, query, body


class LocalSite:
    """Routes are tried in order; the first that returns a Reply answers. ``hits`` counts
    requests by path?query, for "each page fetched once" checks."""

    def __init__(self) -> None:
        self.routes: list[Handler] = []
        self.hits: Counter[str] = Counter()
        self._lock = threading.Lock()
        self._server: ThreadingHTTPServer | None = None
        self.port = 0

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def add(self, handler: Handler) -> None:
        self.routes.append(handler)

    def static(self, path: str, body: bytes, content_type: str = "text/html; charset=utf-8",
               status: int = 200) -> None:
        def handler(method: str, p: str, query: str, _body: bytes) -> Reply | None:
            target = p + ("?" + query if query else "")
            if target == path or (p == path and "?" not in path):
                return Reply(status, body, {"Content-Type": content_type} if content_type else {})
            return None

        self.add(handler)

    def answer(self, method: str, raw_path: str, body: bytes) -> Reply:
        parts = urlsplit(raw_path)
        with self._lock:
            self.hits[raw_path] += 1
        for route in self.routes:
            reply = route(method, parts.path, parts.query, body)
            if reply is not None:
                return reply
        return Reply(404, b"not found", {"Content-Type": "text/plain"})

    @contextmanager
    def running(self, port: int = 0) -> Iterator[LocalSite]:
        """Serve on 127.0.0.1; port 0 picks a free one (tests), a fixed port serves a demo."""
        site = self

        class _Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def _serve(self, method: str) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                reply = site.answer(method, self.path, body)
                self.send_response(reply.status)
                for k, v in reply.headers.items():
                    self.send_header(k, v)
                self.send_header("Content-Length", str(len(reply.body)))
                self.end_headers()
                if method != "HEAD":
                    self.wfile.write(reply.body)

            def do_GET(self) -> None:  # noqa: N802 - http.server's naming
                self._serve("GET")

            def do_POST(self) -> None:  # noqa: N802
                self._serve("POST")

            def do_HEAD(self) -> None:  # noqa: N802
                self._serve("HEAD")

            def log_message(self, format: str, *args: object) -> None:  # noqa: A002
                return

        class _Server(ThreadingHTTPServer):
            def handle_error(self, request: object, client_address: object) -> None:
                # a client that hangs up (an oversized page cancelled) is not our error
                return

        server = _Server(("127.0.0.1", port), _Handler)
        server.daemon_threads = True
        self._server = server
        self.port = server.server_address[1]
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        try:
            yield self
        finally:
            server.shutdown()
            server.server_close()
            thread.join(timeout=5)
