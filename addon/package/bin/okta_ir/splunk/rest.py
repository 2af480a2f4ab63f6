"""A minimal splunkd REST client: JSON over the management port with ``Authorization: Splunk <session key>``.

Standard library only (http.client) so an input or alert action starts fast. splunkd's management port
serves Splunk's own self-signed certificate, so, like splunklib, TLS certificates are not verified on it;
the URI comes from splunkd itself (the ``server_uri`` it hands to the script), never from a user.
The session key never appears in a repr, a log line or an exception message.
"""

from __future__ import annotations

import http.client
import json
import ssl
from collections.abc import Mapping
from typing import Any, Optional
from urllib.parse import quote, urlencode, urlsplit

from okta_ir.errors import SplunkdError

__all__ = ["DEFAULT_TIMEOUT", "SplunkdClient", "splunkd_messages"]

DEFAULT_TIMEOUT = 15.0


def splunkd_messages(body: Any) -> str:
    """The text of splunkd's ``{"messages": [{"type", "text"}]}`` error body, or '' when there is none."""
    if isinstance(body, dict):
        messages = body.get("messages") or []
        texts = [str(m.get("text", "")) for m in messages if isinstance(m, dict)]
        return "; ".join(t for t in texts if t)
    return ""


class SplunkdClient:
    """Calls splunkd in the namespace ``/servicesNS/<owner>/<app>/``.

    One HTTP connection per call (splunkd closes idle ones anyway); every call has an explicit timeout.
    """

    def __init__(
        self,
        server_uri: str,
        session_key: str,
        *,
        app: str = "TA-okta-ir",
        owner: str = "nobody",
        timeout: float = DEFAULT_TIMEOUT,
    ) -> None:
        parts = urlsplit(server_uri)
        if parts.scheme not in ("https", "http") or not parts.hostname:
            raise SplunkdError(f"splunkd URI {server_uri!r} is not an http(s) URL", status=0)
        if not session_key:
            raise SplunkdError("no splunkd session key was given to the script", status=0)
        self.server_uri = server_uri.rstrip("/")
        self._scheme = parts.scheme
        self._host = parts.hostname
        self._port = parts.port or (443 if parts.scheme == "https" else 80)
        self._session_key = session_key
        self.app = app
        self.owner = owner
        self.timeout = timeout

    def __repr__(self) -> str:
        return f"SplunkdClient({self.server_uri!r}, app={self.app!r}, owner={self.owner!r})"

    def ns_path(self, endpoint: str) -> str:
        """``/servicesNS/<owner>/<app>/<endpoint>`` (endpoint segments must already be quoted)."""
        return f"/servicesNS/{quote(self.owner, safe='')}/{quote(self.app, safe='')}/{endpoint.lstrip('/')}"

    def _connection(self) -> http.client.HTTPConnection:
        if self._scheme == "https":
            context = ssl.create_default_context()
            context.check_hostname = False
            context.verify_mode = ssl.CERT_NONE
            return http.client.HTTPSConnection(self._host, self._port, timeout=self.timeout, context=context)
        return http.client.HTTPConnection(self._host, self._port, timeout=self.timeout)

    def request(
        self,
        method: str,
        path: str,
        *,
        params: Optional[Mapping[str, Any]] = None,
        json_body: Any = None,
        form: Optional[Mapping[str, Any]] = None,
    ) -> tuple[int, Any]:
        """Send one request; return (status, JSON body or None). Raises SplunkdError when unreachable."""
        query: dict[str, Any] = {"output_mode": "json"}
        query.update(params or {})
        url = f"{path}?{urlencode(query)}"
        headers = {"Authorization": f"Splunk {self._session_key}", "Accept": "application/json"}
        body: Optional[bytes] = None
        if json_body is not None:
            body = json.dumps(json_body).encode("utf-8")
            headers["Content-Type"] = "application/json"
        elif form is not None:
            body = urlencode(form).encode("utf-8")
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        conn = self._connection()
        try:
            conn.request(method, url, body=body, headers=headers)
            response = conn.getresponse()
            raw = response.read()
            status = response.status
        except (OSError, http.client.HTTPException) as exc:
            raise SplunkdError(
                f"cannot reach splunkd at {self.server_uri} ({type(exc).__name__}: {exc}); "
                "is splunkd running?",
                status=0,
            ) from None
        finally:
            conn.close()
        if not raw:
            return status, None
        try:
            return status, json.loads(raw.decode("utf-8"))
        except ValueError:
            return status, None

    def call(
        self,
        method: str,
        path: str,
        *,
        what: str,
        ok: tuple[int, ...] = (200, 201),
        params: Optional[Mapping[str, Any]] = None,
        json_body: Any = None,
        form: Optional[Mapping[str, Any]] = None,
    ) -> Any:
        """Like ``request``; raises SplunkdError naming ``what`` and splunkd's message unless status in ok."""
        status, body = self.request(method, path, params=params, json_body=json_body, form=form)
        if status not in ok:
            detail = splunkd_messages(body) or "no message"
            hint = " (the session key was refused)" if status == 401 else ""
            raise SplunkdError(f"splunkd refused to {what}: HTTP {status}{hint}: {detail}", status=status)
        return body
