"""A stand-in for the parts of splunkd's REST API the add-on uses, for tests (no Splunk can run here).

It follows splunkd's documented JSON shapes (``output_mode=json``) and checks ``Authorization: Splunk <key>``:

* ``configs/conf-<file>[/<stanza>]``: GET (one stanza, or all with ``count``/``search``), POST (create
  with ``name=`` / update), DELETE. Entries carry ``name``, ``content`` (+ ``disabled``), ``acl``.
* ``storage/passwords[/<realm>:<user>:]``: GET list (``search=realm=...``), POST create (``name``,
  ``password``, ``realm``; 409 when it exists), POST update (``password``), DELETE. Entries carry
  ``clear_password``, ``encr_password``, ``password`` (``********``), ``realm``, ``username``.
* ``storage/collections/data/<collection>[/<key>|/batch_save]``: GET one (404 when absent) or all
  (``fields``, ``query`` equality only), POST insert (409 on duplicate ``_key``), POST to a key (update;
  404 when absent), ``batch_save`` (upsert an array), DELETE one or all. Unknown collection -> 404.

All under ``/servicesNS/<owner>/<app>/``. Errors come back as splunkd's do:
``{"messages": [{"type": "ERROR", "text": ...}]}``.

Use::

    with SplunkdStandIn(collections=["okta_ir_checkpoints"]) as splunkd:
        splunkd.store_account("corp", org_url=..., api_token=...)    # the way UCC stores it
        splunkd.server_uri, splunkd.session_key                       # hand these to the code under test
        splunkd.kv_documents("okta_ir_checkpoints")                   # assert what was saved
"""

from __future__ import annotations

import copy
import json
import secrets
import threading
import time
from collections.abc import Iterable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Optional
from urllib.parse import parse_qs, quote, unquote, urlsplit

__all__ = ["CRED_END_MARK", "CRED_SEP", "SplunkdStandIn"]

CRED_SEP = "``splunk_cred_sep``"
CRED_END_MARK = "".join(CRED_SEP + c for c in "SPLUNK") + CRED_SEP
_CHUNK = 255  # storage/passwords accepts at most 255 characters per password (why solnlib chunks)


def _escape_cred_part(text: str) -> str:
    return text.replace("\\", "\\\\").replace(":", "\\:")


class SplunkdStandIn:
    """An HTTP server on 127.0.0.1 (port 0) answering like splunkd for conf, passwords and KV-store data."""

    def __init__(
        self,
        *,
        app: str = "TA-okta-ir",
        collections: Iterable[str] = ("okta_ir_checkpoints",),
        session_key: Optional[str] = None,
    ) -> None:
        self.app = app
        self.session_key = session_key or secrets.token_hex(16)
        self._lock = threading.Lock()
        self._confs: dict[str, dict[str, dict[str, Any]]] = {}
        self._passwords: dict[str, dict[str, str]] = {}  # name "realm:user:" -> content
        self._collections: dict[str, dict[str, dict[str, Any]]] = {name: {} for name in collections}
        self.requests: list[tuple[str, str]] = []
        self._server: Optional[ThreadingHTTPServer] = None
        self._thread: Optional[threading.Thread] = None

    # ----------------------------------------------------------------- lifecycle
    def start(self) -> SplunkdStandIn:
        """Start serving in a daemon thread."""
        handler = type("Handler", (_Handler,), {"standin": self})
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving and release the port."""
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None

    def __enter__(self) -> SplunkdStandIn:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def server_uri(self) -> str:
        """``http://127.0.0.1:<port>`` (splunkd's own is https; the client under test accepts both)."""
        if self._server is None:
            raise RuntimeError("the splunkd stand-in is not started")
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    # ----------------------------------------------------------------- seeding and inspection
    def set_conf(self, conf: str, stanza: str, **fields: Any) -> None:
        """Create or update ``[stanza]`` in ``<conf>.conf`` (values stored as strings, like .conf files)."""
        with self._lock:
            current = self._confs.setdefault(conf, {}).setdefault(stanza, {})
            current.update({k: _conf_value(v) for k, v in fields.items()})

    def delete_conf(self, conf: str, stanza: str) -> None:
        """Remove ``[stanza]`` from ``<conf>.conf`` (no error when absent)."""
        with self._lock:
            self._confs.get(conf, {}).pop(stanza, None)

    def conf(self, conf: str, stanza: str) -> Optional[dict[str, Any]]:
        """A copy of ``[stanza]`` in ``<conf>.conf``, or None."""
        with self._lock:
            found = self._confs.get(conf, {}).get(stanza)
            return dict(found) if found is not None else None

    def set_password(self, realm: str, username: str, clear_password: str) -> None:
        """Store one storage/passwords entry (at most 255 characters, as splunkd requires)."""
        if len(clear_password) > _CHUNK:
            raise ValueError("a storage/passwords entry holds at most 255 characters: use store_secret()")
        name = f"{_escape_cred_part(realm)}:{_escape_cred_part(username)}:"
        with self._lock:
            self._passwords[name] = {"realm": realm, "username": username, "clear_password": clear_password}

    def store_secret(self, realm: str, username: str, secret: str) -> None:
        """Store ``secret`` as solnlib's CredentialManager does: 255-character chunks plus an end mark."""
        chunks = [secret[i : i + _CHUNK] for i in range(0, len(secret), _CHUNK)] or [""]
        for index, chunk in enumerate(chunks, start=1):
            self.set_password(realm, f"{username}{CRED_SEP}{index}", chunk)
        self.set_password(realm, f"{username}{CRED_SEP}{len(chunks) + 1}", CRED_END_MARK)

    def passwords(self) -> list[dict[str, str]]:
        """Copies of every stored password entry."""
        with self._lock:
            return [dict(v) for v in self._passwords.values()]

    def store_conf_with_secrets(
        self, conf: str, stanza: str, fields: dict[str, Any], encrypted: Iterable[str]
    ) -> None:
        """Store a UCC-managed stanza: encrypted fields masked in the conf, values as one JSON secret."""
        encrypted = [k for k in encrypted if fields.get(k) not in (None, "")]
        plain = {k: ("******" if k in encrypted else v) for k, v in fields.items() if v is not None}
        self.set_conf(conf, stanza, **plain)
        if encrypted:
            realm = f"__REST_CREDENTIAL__#{self.app}#configs/conf-{conf}"
            self.store_secret(realm, stanza, json.dumps({k: fields[k] for k in encrypted}))

    def store_account(
        self,
        name: str,
        *,
        org_url: str,
        auth_type: str = "api_token",
        api_token: Optional[str] = None,
        client_id: Optional[str] = None,
        private_key: Optional[str] = None,
        scopes: str = "okta.logs.read",
        dpop: bool = True,
    ) -> None:
        """Store an Okta account exactly as the add-on's configuration page (UCC) would."""
        fields = {
            "org_url": org_url,
            "auth_type": auth_type,
            "api_token": api_token,
            "client_id": client_id,
            "private_key": private_key,
            "scopes": scopes,
            "dpop": "1" if dpop else "0",
        }
        self.store_conf_with_secrets("ta_okta_ir_account", name, fields, ("api_token", "private_key"))

    def add_collection(self, name: str) -> None:
        """Declare a KV-store collection (as collections.conf would)."""
        with self._lock:
            self._collections.setdefault(name, {})

    def kv_documents(self, collection: str) -> dict[str, dict[str, Any]]:
        """Copies of every document in ``collection`` by ``_key``."""
        with self._lock:
            return copy.deepcopy(self._collections[collection])

    def put_kv_document(self, collection: str, document: dict[str, Any]) -> None:
        """Insert or replace a document directly (``_key`` required)."""
        with self._lock:
            doc = dict(document)
            doc.setdefault("_user", "nobody")
            self._collections[collection][str(doc["_key"])] = doc

    # ----------------------------------------------------------------- request handling (server thread)
    def _dispatch(
        self, method: str, path: str, query: dict[str, str], body: bytes, ctype: str
    ) -> tuple[int, Any]:
        parts = [unquote(p) for p in path.strip("/").split("/")]
        if len(parts) < 4 or parts[0] != "servicesNS":
            return 404, _messages(f"Not Found: {path}")
        rest = parts[3:]
        with self._lock:
            if rest[0].startswith("configs") and len(rest) >= 2 and rest[1].startswith("conf-"):
                return self._confs_endpoint(method, rest[1][5:], rest[2:], query, _form(body))
            if rest[:2] == ["storage", "passwords"]:
                return self._passwords_endpoint(method, rest[2:], query, _form(body))
            if rest[:3] == ["storage", "collections", "data"] and len(rest) >= 4:
                return self._kv_endpoint(method, rest[3], rest[4:], query, body, ctype)
        return 404, _messages(f"Not Found: {path}")

    def _entry(self, name: str, content: dict[str, Any]) -> dict[str, Any]:
        return {
            "name": name,
            "id": f"{self.server_uri}/servicesNS/nobody/{self.app}/.../{quote(name, safe='')}",
            "updated": time.strftime("%Y-%m-%dT%H:%M:%S+00:00", time.gmtime()),
            "links": {},
            "author": "nobody",
            "acl": {"app": self.app, "owner": "nobody", "sharing": "app", "modifiable": True},
            "content": content,
        }

    def _feed(self, entries: list[dict[str, Any]], query: dict[str, str]) -> dict[str, Any]:
        count = int(query.get("count", "30"))
        offset = int(query.get("offset", "0"))
        page = entries[offset:] if count <= 0 else entries[offset : offset + count]
        return {
            "links": {},
            "origin": self.server_uri,
            "generator": {"build": "standin", "version": "9.4.0"},
            "entry": page,
            "paging": {"total": len(entries), "perPage": count, "offset": offset},
            "messages": [],
        }

    def _conf_content(self, fields: dict[str, Any]) -> dict[str, Any]:
        content: dict[str, Any] = dict(fields)
        content["disabled"] = str(fields.get("disabled", "0")).lower() in ("1", "true")
        content.update({"eai:acl": None, "eai:appName": self.app, "eai:userName": "nobody"})
        return content

    def _confs_endpoint(
        self, method: str, conf: str, rest: list[str], query: dict[str, str], form: dict[str, str]
    ) -> tuple[int, Any]:
        stanzas = self._confs.setdefault(conf, {})
        if not rest:
            if method == "GET":
                needle = query.get("search", "")
                entries = [
                    self._entry(name, self._conf_content(fields))
                    for name, fields in sorted(stanzas.items())
                    if needle in name
                ]
                return 200, self._feed(entries, query)
            if method == "POST":
                name = form.pop("name", "")
                if not name:
                    return 400, _messages("Missing required argument: name")
                if name in stanzas:
                    return 409, _messages(f"An object with name={name} already exists")
                stanzas[name] = dict(form)
                return 201, self._feed([self._entry(name, self._conf_content(stanzas[name]))], {})
            return 405, _messages(f"Method {method} not allowed")
        name = rest[0]
        if name not in stanzas:
            return 404, _messages(f"Could not find object id={name}")
        if method == "GET":
            return 200, self._feed([self._entry(name, self._conf_content(stanzas[name]))], {})
        if method == "POST":
            stanzas[name].update(form)
            return 200, self._feed([self._entry(name, self._conf_content(stanzas[name]))], {})
        if method == "DELETE":
            del stanzas[name]
            return 200, self._feed([], {})
        return 405, _messages(f"Method {method} not allowed")

    def _password_content(self, stored: dict[str, str]) -> dict[str, Any]:
        return {
            "clear_password": stored["clear_password"],
            "encr_password": "$7$" + secrets.token_urlsafe(12),
            "password": "********",
            "realm": stored["realm"],
            "username": stored["username"],
        }

    def _passwords_endpoint(
        self, method: str, rest: list[str], query: dict[str, str], form: dict[str, str]
    ) -> tuple[int, Any]:
        if not rest:
            if method == "GET":
                wanted = _search_terms(query.get("search", ""))
                entries = [
                    self._entry(name, self._password_content(stored))
                    for name, stored in sorted(self._passwords.items())
                    if all(stored.get(k) == v if k in ("realm", "username") else v in name for k, v in wanted)
                ]
                return 200, self._feed(entries, query)
            if method == "POST":
                user, password, realm = form.get("name", ""), form.get("password"), form.get("realm", "")
                if not user or password is None:
                    return 400, _messages("Missing required argument: name or password")
                if len(password) > _CHUNK:
                    return 400, _messages("Password length exceeds the maximum of 255 characters")
                name = f"{_escape_cred_part(realm)}:{_escape_cred_part(user)}:"
                if name in self._passwords:
                    return 409, _messages(f"An object with name={name} already exists")
                self._passwords[name] = {"realm": realm, "username": user, "clear_password": password}
                return 201, self._feed([self._entry(name, self._password_content(self._passwords[name]))], {})
            return 405, _messages(f"Method {method} not allowed")
        name = rest[0]
        if name not in self._passwords:
            return 404, _messages(f"Could not find object id={name}")
        if method == "GET":
            return 200, self._feed([self._entry(name, self._password_content(self._passwords[name]))], {})
        if method == "POST":
            if "password" not in form:
                return 400, _messages("Missing required argument: password")
            self._passwords[name]["clear_password"] = form["password"]
            return 200, self._feed([self._entry(name, self._password_content(self._passwords[name]))], {})
        if method == "DELETE":
            del self._passwords[name]
            return 200, self._feed([], {})
        return 405, _messages(f"Method {method} not allowed")

    def _kv_endpoint(
        self, method: str, collection: str, rest: list[str], query: dict[str, str], body: bytes, ctype: str
    ) -> tuple[int, Any]:
        if collection not in self._collections:
            return 404, _messages(f"Collection: {collection} does not exist")
        docs = self._collections[collection]
        if rest == ["batch_save"] and method == "POST":
            items = _json_body(body, ctype)
            if not isinstance(items, list) or not all(isinstance(d, dict) for d in items):
                return 400, _messages("Request body must be a JSON array of objects")
            keys = []
            for doc in items:
                key = str(doc.get("_key") or secrets.token_hex(12))
                docs[key] = {**doc, "_key": key, "_user": "nobody"}
                keys.append(key)
            return 200, keys
        if not rest:
            if method == "GET":
                wanted = json.loads(query["query"]) if query.get("query") else {}
                found = [d for _, d in sorted(docs.items()) if all(d.get(k) == v for k, v in wanted.items())]
                if query.get("fields"):
                    names = [f.strip() for f in query["fields"].split(",")]
                    found = [{k: d[k] for k in names if k in d} for d in found]
                return 200, copy.deepcopy(found)
            if method == "POST":
                doc = _json_body(body, ctype)
                if not isinstance(doc, dict):
                    return 400, _messages("Request body must be a JSON object")
                key = str(doc.get("_key") or secrets.token_hex(12))
                if key in docs:
                    return 409, _messages(f"A document with the same key and user already exists: {key}")
                docs[key] = {**doc, "_key": key, "_user": "nobody"}
                return 201, {"_key": key}
            if method == "DELETE":
                docs.clear()
                return 200, None
            return 405, _messages(f"Method {method} not allowed")
        key = rest[0]
        if method == "GET":
            if key not in docs:
                return 404, _messages(f"Could not find object id={key}")
            return 200, copy.deepcopy(docs[key])
        if method == "POST":
            if key not in docs:
                return 404, _messages(f"Could not find object id={key}")
            doc = _json_body(body, ctype)
            if not isinstance(doc, dict):
                return 400, _messages("Request body must be a JSON object")
            docs[key] = {**doc, "_key": key, "_user": "nobody"}
            return 200, {"_key": key}
        if method == "DELETE":
            if key not in docs:
                return 404, _messages(f"Could not find object id={key}")
            del docs[key]
            return 200, None
        return 405, _messages(f"Method {method} not allowed")


class _Handler(BaseHTTPRequestHandler):
    standin: SplunkdStandIn
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: Any) -> None:  # keep test output quiet
        return

    def _handle(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        url = urlsplit(self.path)
        query = {k: v[-1] for k, v in parse_qs(url.query, keep_blank_values=True).items()}
        self.standin.requests.append((self.command, url.path))
        if self.headers.get("Authorization") != f"Splunk {self.standin.session_key}":
            status, payload = 401, {"messages": [{"type": "WARN", "text": "call not properly authenticated"}]}
        elif query.get("output_mode", "xml") != "json":
            status, payload = 400, _messages("this stand-in only speaks output_mode=json")
        else:
            try:
                status, payload = self.standin._dispatch(
                    self.command, url.path, query, body, self.headers.get("Content-Type", "")
                )
            except (ValueError, KeyError) as exc:
                status, payload = 400, _messages(f"Bad request: {exc}")
        data = b"" if payload is None else json.dumps(payload).encode("utf-8")
        self.send_response(status)
        self.send_header("Content-Type", "application/json; charset=UTF-8")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    do_GET = do_POST = do_DELETE = _handle


def _messages(text: str) -> dict[str, Any]:
    return {"messages": [{"type": "ERROR", "text": text}]}


def _form(body: bytes) -> dict[str, str]:
    return {k: v[-1] for k, v in parse_qs(body.decode("utf-8"), keep_blank_values=True).items()}


def _json_body(body: bytes, ctype: str) -> Any:
    if "json" not in ctype:
        raise ValueError("Content-Type must be application/json")
    return json.loads(body.decode("utf-8"))


def _search_terms(search: str) -> list[tuple[str, str]]:
    """splunkd's ``search=`` as (field, value) pairs; a bare term matches the entry name."""
    terms = []
    for term in search.split():
        key, sep, value = term.partition("=")
        terms.append((key, value) if sep else ("", term))
    return terms


def _conf_value(value: Any) -> str:
    if isinstance(value, bool):
        return "1" if value else "0"
    return str(value)
