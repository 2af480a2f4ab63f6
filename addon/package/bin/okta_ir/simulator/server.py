"""The HTTP face of the simulated org: a ThreadingHTTPServer on 127.0.0.1 with Okta's headers and errors."""

from __future__ import annotations

import itertools
import json
import logging
import re
import socket
import struct
import threading
import time
import uuid
from collections import deque
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Callable, Optional
from urllib.parse import parse_qs, unquote, urlsplit

from okta_ir.simulator.auth import Authenticator, AuthFailure
from okta_ir.simulator.cursor import CursorCodec
from okta_ir.simulator.faults import FaultPlan
from okta_ir.simulator.http import Request, Response, empty_response
from okta_ir.simulator.logs_api import LogsQueryError, fetch_page, next_query_string, parse_logs_query
from okta_ir.simulator.org import Org
from okta_ir.simulator.ratelimit import RateDecision, RateLimiter
from okta_ir.simulator.responses import ErrorIds, error_body

__all__ = ["OrgServer", "Route", "parse_json_body", "serve_org"]

_LOG = logging.getLogger(__name__)


class Route:
    """A method + path pattern served by a handler, with its rate bucket and required scope."""

    def __init__(
        self,
        method: str,
        pattern: str,
        handler: Callable[..., Response],
        bucket: str,
        scope: Optional[str],
        public: bool = False,
    ) -> None:
        self.method = method
        self.regex = re.compile("^" + pattern + "$")
        self.handler = handler
        self.bucket = bucket
        self.scope = scope
        self.public = public


class OrgServer:
    """Dispatches requests to the org's APIs and applies auth, rate limits, concurrency limits and faults."""

    def __init__(self, org: Org) -> None:
        cfg = org.config
        self.org = org
        self.codec = CursorCodec(org.cursor_key)
        self.auth = Authenticator(cfg.api_tokens, cfg.oauth_clients, cfg.dpop_required)
        self.limits = RateLimiter(cfg.rate_limit_per_minute, cfg.rate_limit_window_seconds)
        self.faults = FaultPlan(cfg.faults, cfg.seed)
        self.error_ids = ErrorIds(cfg.seed)
        self.requests_log: deque[tuple[str, str, str, int]] = deque(maxlen=cfg.requests_log_size)
        self._inflight = 0
        self._inflight_lock = threading.Lock()
        self._five_xx = itertools.count()
        self.routes: list[Route] = [Route("GET", r"/api/v1/logs", self._logs, "logs", "okta.logs.read")]
        self.base_url = ""

    def add_routes(self, routes: list[Route]) -> None:
        """Serve more endpoints."""
        self.routes.extend(routes)

    def in_flight(self) -> int:
        """Requests being handled right now."""
        with self._inflight_lock:
            return self._inflight

    # -- plumbing --------------------------------------------------------------------------------------
    def error(
        self,
        status: int,
        code: str,
        detail: str = "",
        causes: tuple[str, ...] = (),
        headers: Optional[list[tuple[str, str]]] = None,
    ) -> Response:
        """An Okta error response."""
        return Response(status, error_body(code, self.error_ids.next(), detail, causes), list(headers or []))

    def handle(self, req: Request) -> Response:
        """Route one request through concurrency limit, auth, rate limit, faults, handler."""
        route, match = self._route(req)
        if route is None or match is None:
            allowed = sorted({r.method for r in self.routes if r.regex.match(req.path)})
            if allowed:
                return self.error(405, "E0000022", headers=[("Allow", ", ".join(allowed))])
            return self.error(404, "E0000007", req.path)
        with self._inflight_lock:
            self._inflight += 1
            over = (
                self.org.config.concurrency_limit is not None
                and self._inflight > self.org.config.concurrency_limit
            )
        try:
            if over:
                reset = str(int(time.time()) + 1)
                return self.error(
                    429,
                    "E0000047",
                    headers=[
                        ("X-Rate-Limit-Limit", "0"),
                        ("X-Rate-Limit-Remaining", "0"),
                        ("X-Rate-Limit-Reset", reset),
                    ],
                )
            if not route.public:
                principal = self.auth.authenticate(req.method, req.base_url + req.path, req.headers)
                if isinstance(principal, AuthFailure):
                    hdrs = list(principal.headers.items())
                    return self.error(principal.status, principal.code or "E0000011", headers=hdrs)
                if not principal.allows(route.scope):
                    return empty_response(
                        403,
                        [
                            (
                                "WWW-Authenticate",
                                'Bearer error="insufficient_scope", '
                                'error_description="The access token provided does not contain '
                                'the required scopes."',
                            )
                        ],
                    )
                req.principal = principal
            decision = self.limits.take(route.bucket)
            resp = self._guarded(req, route, match, decision)
            if resp.action == "timeout":  # hold the connection while counted as in flight, then drop it
                time.sleep(self.faults.config.timeout_seconds)
                resp.action = "reset"
            if not any(k.lower() == "x-rate-limit-limit" for k, _ in resp.headers):
                resp.headers.extend(decision.headers().items())
            return resp
        finally:
            with self._inflight_lock:
                self._inflight -= 1

    def _guarded(self, req: Request, route: Route, match: Any, decision: RateDecision) -> Response:
        if not decision.allowed:
            return self.error(429, "E0000047")
        fault = self.faults.next_fault() if self.faults.applies_to(req.path) else None
        if fault == "429":
            hdrs = RateDecision(False, decision.limit, 0, int(time.time()) + 2).headers()
            return self.error(429, "E0000047", headers=list(hdrs.items()))
        if fault == "5xx":
            status = 503 if next(self._five_xx) % 2 else 500
            return self.error(status, "E0000009")
        if fault in ("reset", "timeout"):
            return Response(0, action=fault)
        resp: Response = route.handler(req, *match.groups())
        if fault == "truncated" and resp.status == 200 and len(resp.body) > 2:
            resp.body = resp.body[: max(1, len(resp.body) // 2)]
        return resp

    def _route(self, req: Request) -> tuple[Optional[Route], Any]:
        for route in self.routes:
            if route.method == req.method:
                m = route.regex.match(req.path)
                if m is not None:
                    return route, m
        return None, None

    # -- /api/v1/logs ----------------------------------------------------------------------------------
    def _logs(self, req: Request) -> Response:
        now_ms = int(time.time() * 1000)
        try:
            query = parse_logs_query(req.params, self.codec, now_ms)
        except LogsQueryError as exc:
            return self.error(400, exc.code, causes=(exc.cause,))
        page = fetch_page(self.org.store, query, self.codec)
        self_url = req.base_url + req.path + (("?" + req.query) if req.query else "")
        headers = [("link", f'<{self_url}>; rel="self"')]
        if page.next_cursor is not None:
            headers.append(
                (
                    "link",
                    f'<{req.base_url}/api/v1/logs?{next_query_string(query, page.next_cursor)}>; rel="next"',
                )
            )
        return Response(200, page.body(), headers)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "nginx"
    sys_version = ""
    server: _Server

    def log_message(self, format: str, *args: Any) -> None:
        """Quiet: the requests log is the record."""

    def _serve(self) -> None:
        srv = self.server
        parts = urlsplit(self.path)
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if 0 < length <= 10_000_000 else b""
        headers = {k.lower(): v for k, v in self.headers.items()}
        forwarded = headers.get("x-forwarded-for", "").split(",")[0].strip()
        req = Request(
            method=self.command,
            path=unquote(parts.path),
            query=parts.query,
            params=parse_qs(parts.query, keep_blank_values=True),
            headers=headers,
            body=body,
            client_ip=forwarded or self.client_address[0],
            base_url=srv.base_url,
        )
        try:
            resp = srv.org_server.handle(req)
        except Exception:
            _LOG.exception("simulator bug while serving %s %s", req.method, req.path)
            resp = srv.org_server.error(500, "E0000009")
        srv.org_server.requests_log.append((req.method, req.path, req.query, resp.status))
        if resp.action == "reset":
            self._reset()
            return
        self.send_response(resp.status)
        if resp.content_type and (resp.body or resp.status != 204):
            self.send_header("Content-Type", resp.content_type)
        self.send_header("Content-Length", str(len(resp.body)))
        self.send_header("x-okta-request-id", uuid.uuid4().hex)
        for name, value in resp.headers:
            self.send_header(name, value)
        self.end_headers()
        if resp.body and self.command != "HEAD":
            self.wfile.write(resp.body)

    def _reset(self) -> None:
        with suppress(OSError):
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        self.close_connection = True
        with suppress(OSError):
            self.connection.close()

    do_GET = do_POST = do_PUT = do_DELETE = do_PATCH = _serve


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    org_server: OrgServer
    base_url: str


@contextmanager
def serve_org(org_server: OrgServer, host: str, port: int) -> Iterator[str]:
    """Serve in a background thread; yields the base URL; shuts down on exit."""
    httpd = _Server((host, port), _Handler)
    httpd.org_server = org_server
    bound_port = httpd.server_address[1]
    httpd.base_url = f"http://127.0.0.1:{bound_port}"
    org_server.base_url = httpd.base_url
    thread = threading.Thread(
        target=httpd.serve_forever, kwargs={"poll_interval": 0.1}, daemon=True, name=f"okta-sim-{bound_port}"
    )
    thread.start()
    try:
        yield httpd.base_url
    finally:
        httpd.shutdown()
        httpd.server_close()
        thread.join(timeout=5)


def parse_json_body(req: Request) -> Optional[dict[str, Any]]:
    """The request body as a JSON object, or None."""
    try:
        value = json.loads(req.body or b"null")
    except ValueError:
        return None
    return value if isinstance(value, dict) else None
