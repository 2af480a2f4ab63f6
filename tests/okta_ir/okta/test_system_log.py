"""The System Log poller against an in-memory log with Okta's cursor semantics.

The client here is a small fake answering ``request`` with real httpx responses (the HTTP client has its
own tests): what is under test is the poller's cursoring, dedupe, intent checkpoint and write order.
"""

from __future__ import annotations

import copy
import json
import os
import signal
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Optional
from urllib.parse import parse_qs, urlencode, urlsplit

import httpx
import pytest
from okta_ir.checkpoint import Checkpoint, FileCheckpointStore
from okta_ir.errors import CheckpointError, ConfigError, InvalidResponseError, UnsafeLinkError
from okta_ir.okta.system_log import StopRequested, SystemLogPoller, interruptible_sleep, stop_on_signals

ORG = "https://acme.okta.com"
NOW = 1_750_000_000.0  # 2025-06-15T15:06:40Z


def make_events(count: int, start: int = 0) -> list[dict[str, Any]]:
    return [
        {
            "uuid": f"uuid-{n:06d}",
            "published": "2025-06-15T12:00:00.000Z",
            "eventType": "user.session.start",
            "actor": {"id": f"00u{n}", "type": "User"},
        }
        for n in range(start, start + count)
    ]


@dataclass
class FakePage:
    items: list[dict[str, Any]]
    next_url: Optional[str]
    self_url: Optional[str] = None
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)


class FakeLog:
    """An org's System Log: ``after=<offset>`` cursors; polling pages always carry ``next``.

    ``overlap`` makes every next link start that many events early (Okta re-delivering near the cursor).
    """

    def __init__(self, events: list[dict[str, Any]], org: str = ORG, overlap: int = 0) -> None:
        self.events = events
        self.org_url = org
        self.overlap = overlap
        self.requests: list[str] = []
        self.bad_next_after: Optional[int] = None
        self.body: Optional[bytes] = None  # replaces the next answer's body once

    def url(self, offset: int, limit: int, until: Optional[str]) -> str:
        params = {"after": str(offset), "limit": str(limit)}
        if until:
            params["until"] = until
        return f"{self.org_url}/api/v1/logs?{urlencode(params)}"

    def request(self, method: str, url: str) -> httpx.Response:
        assert method == "GET"
        self.requests.append(url)
        page = self.page(url)
        body = self.body if self.body is not None else json.dumps(page.items).encode()
        self.body = None
        headers = [("link", f'<{url}>; rel="self"')]
        if page.next_url:
            headers.append(("link", f'<{page.next_url}>; rel="next"'))
        return httpx.Response(200, content=body, headers=headers)

    def page(self, url: str) -> FakePage:
        query = {k: v[0] for k, v in parse_qs(urlsplit(url).query).items()}
        offset = int(query.get("after", "0"))
        limit = int(query["limit"])
        until = query.get("until")
        items = copy.deepcopy(self.events[offset : offset + limit])
        end = offset + len(items)
        if self.bad_next_after is not None and end >= self.bad_next_after:
            return FakePage(items, "https://evil.example.com/api/v1/logs?after=1")
        if until and end >= len(self.events):
            return FakePage(items, None)
        return FakePage(items, self.url(max(end - self.overlap, offset) if items else end, limit, until))


class ListSink:
    """A sink keeping events in memory; ``recover`` answers from what it holds."""

    def __init__(self, journal: Optional[list[Any]] = None) -> None:
        self.events: list[dict[str, Any]] = []
        self.journal = journal if journal is not None else []
        self.fail_on_batch: Optional[int] = None
        self.partial = 0
        self.batches = 0
        self.after_write = None  # type: Optional[Any]

    def write_batch(self, events: Sequence[dict[str, Any]]) -> None:
        self.batches += 1
        if self.batches == self.fail_on_batch:
            self.events.extend(copy.deepcopy(list(events[: self.partial])))
            raise OSError("disk full")
        self.events.extend(copy.deepcopy(list(events)))
        self.journal.append(("write", [e["uuid"] for e in events]))
        if self.after_write is not None:
            self.after_write()

    def recover(self, pending_uuids: Sequence[str]) -> set[str]:
        held = {e["uuid"] for e in self.events}
        return {u for u in pending_uuids if u in held}


class JournalStore(FileCheckpointStore):
    def __init__(self, directory: str, journal: list[Any]) -> None:
        super().__init__(directory)
        self.journal = journal

    def save(self, key: str, checkpoint: Checkpoint) -> None:
        super().save(key, checkpoint)
        self.journal.append(("save", checkpoint))


def uuids(events: Sequence[dict[str, Any]]) -> list[str]:
    return [e["uuid"] for e in events]


def poller(log: FakeLog, store: Any, **kwargs: Any) -> SystemLogPoller:
    kwargs.setdefault("since", "2025-06-15T00:00:00Z")
    kwargs.setdefault("clock", lambda: NOW)
    kwargs.setdefault("sleep", lambda seconds: pytest.fail("unexpected sleep"))
    return SystemLogPoller(log, store, "acme", **kwargs)


def test_polling_collects_everything_then_stops_on_the_empty_page(tmp_path):
    log = FakeLog(make_events(2500))
    store = FileCheckpointStore(str(tmp_path))
    sink = ListSink()
    stats = poller(log, store, limit=1000, filter='eventType eq "user.session.start"', q="evil").run(sink)
    assert uuids(sink.events) == uuids(make_events(2500))
    assert all(e["okta_org"] == "acme.okta.com" for e in sink.events)
    assert (stats.events, stats.pages, stats.empty_pages, stats.duplicates) == (2500, 4, 1, 0)
    first = parse_qs(urlsplit(log.requests[0]).query)
    assert first == {
        "since": ["2025-06-15T00:00:00.000Z"],
        "limit": ["1000"],
        "filter": ['eventType eq "user.session.start"'],
        "q": ["evil"],
    }
    assert log.requests[1:] == [
        log.url(1000, 1000, None),
        log.url(2000, 1000, None),
        log.url(2500, 1000, None),
    ]
    saved = store.load("acme")
    assert saved is not None
    assert saved.cursor == log.url(2500, 1000, None)
    assert saved.org == ORG and saved.until is None and saved.done is False
    assert saved.extra == {"query": {"filter": 'eventType eq "user.session.start"', "q": "evil"}}
    assert saved.boundary_uuids == tuple(uuids(make_events(2000, start=500)))


def test_resume_follows_the_saved_cursor_and_delivers_only_new_events(tmp_path):
    log = FakeLog(make_events(1200))
    store = FileCheckpointStore(str(tmp_path))
    sink = ListSink()
    poller(log, store).run(sink)
    log.events.extend(make_events(300, start=1200))
    log.requests.clear()
    stats = poller(log, store, since="2025-06-10T00:00:00Z").run(sink)
    assert log.requests[0] == log.url(1200, 1000, None)
    assert stats.events == 300
    assert uuids(sink.events) == uuids(make_events(1500))


def test_bounded_mode_follows_next_until_absent_and_marks_done(tmp_path):
    log = FakeLog(make_events(2000))
    store = FileCheckpointStore(str(tmp_path))
    sink = ListSink()
    stats = poller(log, store, until="2025-06-15T12:00:00Z", limit=500).run(sink)
    assert stats.done and stats.events == 2000 and stats.pages == 4
    assert "until=2025-06-15T12%3A00%3A00.000Z" in log.requests[0]
    saved = store.load("acme")
    assert saved is not None and saved.done and saved.until == "2025-06-15T12:00:00.000Z"
    log.requests.clear()
    again = poller(log, store, until="2025-06-15T12:00:00Z", limit=500).run(sink)
    assert again.done and again.events == 0 and log.requests == []


def test_bounded_mode_does_not_stop_on_a_short_or_empty_page(tmp_path):
    class Gappy(FakeLog):
        def page(self, url: str) -> FakePage:
            page = super().page(url)
            if len(self.requests) == 2:  # a short-then-empty page while more data exists
                return FakePage([], url.replace("after=", "after="))
            return page

    log = Gappy(make_events(1500))
    sink = ListSink()
    stats = poller(log, FileCheckpointStore(str(tmp_path)), until="2025-06-15T12:00:00Z").run(sink)
    assert stats.done and uuids(sink.events) == uuids(make_events(1500))


def test_follow_paces_empty_pages_with_the_injected_sleep(tmp_path):
    log = FakeLog(make_events(10))
    stop = threading.Event()
    sleeps: list[float] = []

    def sleep(seconds: float) -> None:
        sleeps.append(seconds)
        if len(sleeps) == 2:
            log.events.extend(make_events(5, start=10))  # new activity while waiting
        if len(sleeps) == 4:
            stop.set()

    sink = ListSink()
    stats = poller(
        log, FileCheckpointStore(str(tmp_path)), empty_poll_seconds=7.5, stop=stop, sleep=sleep
    ).run(sink, follow=True)
    assert sleeps == [7.5, 7.5, 7.5, 7.5]
    # page(10), empty, empty, page(5), empty, empty: one request per empty page, no hammering
    assert len(log.requests) == 6 and stats.empty_pages == 4 and stats.stopped
    assert uuids(sink.events) == uuids(make_events(15))


def test_dedupe_drops_redelivered_events_near_the_cursor(tmp_path):
    log = FakeLog(make_events(3000), overlap=25)
    sink = ListSink()
    stats = poller(log, FileCheckpointStore(str(tmp_path))).run(sink)
    assert uuids(sink.events) == uuids(make_events(3000))
    # every next link re-delivers 25 events; the last page holds only those 25 and links to itself: caught up
    assert (stats.duplicates, stats.pages, stats.empty_pages) == (4 * 25, 5, 0)


def test_duplicates_within_one_page_are_written_once(tmp_path):
    events = make_events(6)
    events.insert(3, copy.deepcopy(events[1]))
    events.append("not an object")  # type: ignore[arg-type]
    log = FakeLog(events)
    sink = ListSink()
    stats = poller(log, FileCheckpointStore(str(tmp_path))).run(sink)
    assert uuids(sink.events) == uuids(make_events(6))
    assert (stats.duplicates, stats.malformed) == (1, 1)


def test_boundary_uuids_are_bounded_and_dedupe_a_restart(tmp_path):
    log = FakeLog(make_events(900))
    store = FileCheckpointStore(str(tmp_path))
    sink = ListSink()
    poller(log, store, limit=100, boundary_size=150).run(sink)
    saved = store.load("acme")
    assert saved is not None and saved.boundary_uuids == tuple(uuids(make_events(150, start=750)))
    log.overlap = 120  # the restart's first page re-delivers 120 events before the cursor
    log.events.extend(make_events(50, start=900))
    sink2 = ListSink()
    poller(log, store, limit=100, boundary_size=150).run(sink2)
    assert uuids(sink2.events) == uuids(make_events(50, start=900))


def test_a_checkpoint_of_another_org_is_refused_before_any_request(tmp_path):
    store = FileCheckpointStore(str(tmp_path))
    store.save(
        "acme", Checkpoint(cursor="https://other.okta.com/api/v1/logs?after=5", org="https://other.okta.com")
    )
    log = FakeLog(make_events(10))
    with pytest.raises(CheckpointError, match=r"belongs to org 'https://other\.okta\.com'"):
        poller(log, store).run(ListSink())
    assert log.requests == []


def test_a_checkpoint_cursor_off_the_org_is_never_followed(tmp_path):
    store = FileCheckpointStore(str(tmp_path))
    store.save("acme", Checkpoint(cursor="https://evil.example.com/api/v1/logs?after=5", org=ORG))
    log = FakeLog(make_events(10))
    with pytest.raises(CheckpointError, match="off the org"):
        poller(log, store).run(ListSink())
    assert log.requests == []


def test_a_checkpoint_for_another_window_is_refused(tmp_path):
    store = FileCheckpointStore(str(tmp_path))
    log = FakeLog(make_events(10))
    poller(log, store).run(ListSink())
    with pytest.raises(CheckpointError, match="another collection"):
        poller(log, store, until="2025-06-15T12:00:00Z").run(ListSink())


def test_an_off_org_next_link_is_refused_and_nothing_of_its_page_is_saved(tmp_path):
    log = FakeLog(make_events(2500))
    log.bad_next_after = 2000
    store = FileCheckpointStore(str(tmp_path))
    sink = ListSink()
    with pytest.raises(UnsafeLinkError, match=r"off the org acme\.okta\.com"):
        poller(log, store).run(sink)
    assert uuids(sink.events) == uuids(make_events(1000))
    saved = store.load("acme")
    assert saved is not None and saved.cursor == log.url(1000, 1000, None) and saved.extra == {}


def test_checkpoint_is_saved_as_intent_before_the_write_and_moves_only_after(tmp_path):
    journal: list[Any] = []
    log = FakeLog(make_events(250))
    store = JournalStore(str(tmp_path), journal)
    poller(log, store, limit=100).run(ListSink(journal))
    kinds = [entry[0] for entry in journal]
    assert kinds == ["save", "write", "save", "write", "save", "write", "save"]
    for index in (0, 2, 4):
        intent, (_, written) = journal[index][1], journal[index + 1]
        assert intent.extra["pending"]["uuids"] == written
        assert intent.cursor == (None if index == 0 else log.url(index // 2 * 100, 100, None))
        assert intent.extra["pending"]["cursor"] == log.url(min(index // 2 * 100 + 100, 250), 100, None)
    final = journal[-1][1]
    assert final.cursor == log.url(250, 100, None) and final.extra == {}


def test_a_failing_sink_leaves_the_checkpoint_behind_and_a_rerun_loses_nothing(tmp_path):
    log = FakeLog(make_events(350))
    store = FileCheckpointStore(str(tmp_path))
    sink = ListSink()
    sink.fail_on_batch = 2
    with pytest.raises(OSError, match="disk full"):
        poller(log, store, limit=100).run(sink)
    saved = store.load("acme")
    assert saved is not None and saved.cursor == log.url(100, 100, None)
    assert saved.extra["pending"]["uuids"] == uuids(make_events(100, start=100))
    sink.fail_on_batch = None
    log.requests.clear()
    stats = poller(log, store, limit=100).run(sink)
    assert stats.recovered == 0 and log.requests[0] == log.url(100, 100, None)
    assert uuids(sink.events) == uuids(make_events(350))


def test_a_partial_write_is_recovered_and_the_rest_written_once(tmp_path):
    log = FakeLog(make_events(300))
    store = FileCheckpointStore(str(tmp_path))
    sink = ListSink()
    sink.fail_on_batch, sink.partial = 2, 40
    with pytest.raises(OSError):
        poller(log, store, limit=100).run(sink)
    sink.fail_on_batch = None
    stats = poller(log, store, limit=100).run(sink)
    assert stats.recovered == 40 and stats.duplicates == 40
    assert uuids(sink.events) == uuids(make_events(300))


def test_a_crash_after_the_write_but_before_the_checkpoint_is_not_redelivered(tmp_path):
    class Crash(BaseException):
        pass

    log = FakeLog(make_events(300))
    store = FileCheckpointStore(str(tmp_path))
    sink = ListSink()

    def crash() -> None:
        if sink.batches == 2:
            raise Crash()

    sink.after_write = crash
    with pytest.raises(Crash):
        poller(log, store, limit=100).run(sink)
    sink.after_write = None
    log.requests.clear()
    stats = poller(log, store, limit=100).run(sink)
    assert stats.recovered == 100
    assert log.requests[0] == log.url(200, 100, None)  # the intent's cursor: page 2 is not fetched again
    assert uuids(sink.events) == uuids(make_events(300))


def test_max_events_is_exact_and_the_rest_follows_on_the_next_run(tmp_path):
    log = FakeLog(make_events(2500))
    store = FileCheckpointStore(str(tmp_path))
    sink = ListSink()
    assert poller(log, store).run(sink, max_events=1500).events == 1500
    assert poller(log, store).run(sink, max_events=700).events == 700
    assert poller(log, store).run(sink).events == 300
    assert uuids(sink.events) == uuids(make_events(2500))


def test_stop_event_ends_the_run_after_the_current_page_with_the_checkpoint_saved(tmp_path):
    log = FakeLog(make_events(3000))
    store = FileCheckpointStore(str(tmp_path))
    stop = threading.Event()
    sink = ListSink()
    sink.after_write = stop.set
    stats = poller(log, store, stop=stop).run(sink, follow=True)
    # the next page was already being fetched while this one was written; it is dropped, not written
    assert stats.stopped and stats.events == 1000 and stats.pages == 1 and len(log.requests) == 2
    saved = store.load("acme")
    assert saved is not None and saved.cursor == log.url(1000, 1000, None) and saved.extra == {}


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT])
def test_stop_on_signals_turns_sigterm_and_sigint_into_the_stop_event(signum):
    stop = threading.Event()
    before = signal.getsignal(signum)
    with stop_on_signals(stop):
        os.kill(os.getpid(), signum)
        assert stop.wait(5)
    assert signal.getsignal(signum) is before


def test_the_next_page_is_fetched_while_the_current_one_is_written(tmp_path):
    log = FakeLog(make_events(3000))
    sink = ListSink()
    overlapped: list[bool] = []

    def during_write() -> None:  # without prefetching the next request never comes while we wait
        deadline = time.monotonic() + 2
        while len(log.requests) <= sink.batches and time.monotonic() < deadline:
            time.sleep(0.001)
        overlapped.append(len(log.requests) > sink.batches)

    sink.after_write = during_write
    stats = poller(log, FileCheckpointStore(str(tmp_path))).run(sink)
    assert overlapped == [True, True, True]
    assert stats.events == 3000 and stats.pages == 4 and len(log.requests) == 4
    assert uuids(sink.events) == uuids(make_events(3000))


def test_org_is_stamped_with_host_and_port():
    log = FakeLog(make_events(1), org="http://127.0.0.1:8123")
    assert poller(log, FileCheckpointStore("/nonexistent")).org == "127.0.0.1:8123"


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"since": "2024-01-01T00:00:00Z"}, "more than 180 days back"),
        ({"since": "yesterday"}, "not an ISO-8601 time"),
        ({"until": "2025-06-14T00:00:00Z"}, "is not after since"),
        ({"limit": 5000}, "limit must be between 1 and 1000"),
    ],
)
def test_bad_settings_are_refused(kwargs, message):
    with pytest.raises(ConfigError, match=message):
        poller(FakeLog([]), FileCheckpointStore("/nonexistent"), **kwargs)


def test_max_events_with_follow_is_refused(tmp_path):
    with pytest.raises(ConfigError, match="exclude each other"):
        poller(FakeLog([]), FileCheckpointStore(str(tmp_path))).run(ListSink(), max_events=5, follow=True)


def test_default_since_is_24_hours_back():
    assert poller(FakeLog([]), FileCheckpointStore("/x"), since=None).since == "2025-06-14T15:06:40.000Z"


def test_a_truncated_body_is_fetched_again(tmp_path):
    log = FakeLog(make_events(1500))
    log.body = b'[{"uuid":"uuid-000000","publ'
    sleeps: list[float] = []
    sink = ListSink()
    stats = poller(log, FileCheckpointStore(str(tmp_path)), sleep=sleeps.append).run(sink)
    assert stats.refetches == 1 and sleeps == [0.5]
    # page 2 was asked for from page 1's headers; page 1 is fetched again; page 2's answer is kept
    assert log.requests[:3] == [log.requests[0], log.url(1000, 1000, None), log.requests[0]]
    assert len(log.requests) == 4 and stats.pages == 3
    assert uuids(sink.events) == uuids(make_events(1500))


def test_a_body_that_stays_broken_fails_clearly_and_saves_nothing(tmp_path):
    class Broken(FakeLog):
        def request(self, method: str, url: str) -> httpx.Response:
            self.body = b"[{"
            return super().request(method, url)

    log = Broken(make_events(10))
    store = FileCheckpointStore(str(tmp_path))
    with pytest.raises(InvalidResponseError, match="after 4 attempts"):
        poller(log, store, sleep=lambda s: None).run(ListSink())
    assert len(log.requests) == 4 and store.load("acme") is None


def test_a_next_link_with_the_default_port_spelled_out_is_on_the_org(tmp_path):
    class Port443(FakeLog):
        def url(self, offset: int, limit: int, until: Optional[str]) -> str:
            return super().url(offset, limit, until).replace("acme.okta.com", "ACME.okta.com:443")

    log = Port443(make_events(1500))
    sink = ListSink()
    poller(log, FileCheckpointStore(str(tmp_path))).run(sink)
    assert uuids(sink.events) == uuids(make_events(1500))
    assert log.requests[1].startswith("https://ACME.okta.com:443/api/v1/logs?")


def test_a_relative_window_continues_the_export_saved_in_the_checkpoint(tmp_path):
    log = FakeLog(make_events(1500))
    store = FileCheckpointStore(str(tmp_path))
    first = poller(log, store, until="2025-06-15T12:00:00Z")
    assert first.run(ListSink(), max_events=700).events == 700
    sink = ListSink()
    later = poller(
        log, store, since="2025-06-15T00:05:00Z", until="2025-06-15T12:05:00Z", strict_window=False
    )
    assert later.run(sink).events == 800 and later.until == "2025-06-15T12:00:00.000Z"
    assert uuids(sink.events) == uuids(make_events(800, start=700))
    saved = store.load("acme")
    assert saved is not None and saved.done and saved.since == "2025-06-15T00:00:00.000Z"


def test_the_real_client_and_poller_refuse_an_off_org_next_link(tmp_path):
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    from okta_ir.okta.auth import ApiTokenAuth
    from okta_ir.okta.client import ClientSettings, OktaClient

    body = json.dumps(make_events(3)).encode()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.send_header("link", '<https://evil.example.com/api/v1/logs?after=x>; rel="next"')
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    store = FileCheckpointStore(str(tmp_path))
    sink = ListSink()
    try:
        settings = ClientSettings(connect_timeout=5, read_timeout=5, max_retries=0)
        client = OktaClient(f"http://127.0.0.1:{server.server_port}", ApiTokenAuth("tok"), settings)
        poller = SystemLogPoller(client, store, "acme", since="2025-06-15T00:00:00Z", clock=lambda: NOW)
        refused = r"off the org 127\.0\.0\.1:\d+ \(to evil\.example\.com"
        with client, pytest.raises(UnsafeLinkError, match=refused):
            poller.run(sink)
    finally:
        server.shutdown()
        server.server_close()
    assert sink.events == [] and store.load("acme") is None


def test_a_stop_during_the_clients_pause_ends_the_run_cleanly(tmp_path):
    stop = threading.Event()
    sleep = interruptible_sleep(stop)
    log = FakeLog(make_events(2500))
    original = log.request

    def request(method: str, url: str) -> httpx.Response:
        if len(log.requests) == 1:  # the client pauses before the second page; SIGTERM arrives
            threading.Timer(0.05, stop.set).start()
            sleep(30)
        return original(method, url)

    log.request = request  # type: ignore[method-assign]
    store = FileCheckpointStore(str(tmp_path))
    sink = ListSink()
    started = time.monotonic()
    stats = poller(log, store, stop=stop).run(sink, follow=True)
    assert time.monotonic() - started < 5
    assert stats.stopped and stats.events == 1000 and stats.pages == 1
    saved = store.load("acme")
    assert saved is not None and saved.cursor == log.url(1000, 1000, None) and saved.extra == {}
    with pytest.raises(StopRequested):
        sleep(0)


def test_a_resumed_run_must_ask_the_same_filter_and_keywords(tmp_path):
    log = FakeLog(make_events(500))
    store = FileCheckpointStore(str(tmp_path))
    poller(log, store, filter='eventType eq "user.session.start"', q="evil").run(ListSink())
    saved = store.load("acme")
    assert saved is not None
    assert saved.extra == {"query": {"filter": 'eventType eq "user.session.start"', "q": "evil"}}
    with pytest.raises(CheckpointError, match="was made with filter='eventType eq"):
        poller(log, store).run(ListSink())
    with pytest.raises(CheckpointError, match="q='evil'"):
        poller(log, store, filter='eventType eq "user.session.start"', q="other").run(ListSink())
    log.events.extend(make_events(5, start=500))
    sink = ListSink()
    assert poller(log, store, filter='eventType eq "user.session.start"', q="evil").run(sink).events == 5


def test_a_sink_using_json_lines_gets_the_org_in_the_lines_only(tmp_path):
    class LinesSink(ListSink):
        uses_json_lines = True

        def write_batch(self, events: Sequence[dict[str, Any]]) -> None:
            self.lines = list(events.json_lines)  # type: ignore[attr-defined]
            super().write_batch(events)

    log = FakeLog(make_events(3))
    sink = LinesSink()
    poller(log, FileCheckpointStore(str(tmp_path))).run(sink)
    assert sink.events == make_events(3)  # dicts as Okta sent them
    assert [json.loads(line) for line in sink.lines] == [
        {**e, "okta_org": "acme.okta.com"} for e in make_events(3)
    ]
