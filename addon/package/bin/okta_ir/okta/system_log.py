"""The System Log poller: follows Okta's ``next`` cursor and delivers each event exactly once.

Order of work for every page: fetch -> drop already delivered uuids -> stamp the org -> save an
*intent* checkpoint (the uuids about to be written and the cursor they lead to) -> write and flush
to the sink -> the checkpoint moves to the new cursor. A run that dies anywhere in between leaves
either the old checkpoint (the page is fetched again; delivered uuids are dropped) or the intent,
which the next run resolves by asking the sink which of those uuids it holds.

The next page is requested (one worker thread) as soon as the current page's headers name it, so
the server prepares it while the current page is parsed and written; a page fetched ahead is only
used once everything before it is checkpointed.

Polling mode (no ``until``): ordered by persistence time, a ``next`` link is always present and an
empty page means "caught up". Bounded mode (``since`` + ``until``): follow ``next`` until absent.
"""

from __future__ import annotations

import logging
import signal
import threading
import time
from collections.abc import Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, Callable, Optional, Protocol
from urllib.parse import urlencode, urlsplit

from okta_ir.checkpoint import Checkpoint, CheckpointStore
from okta_ir.errors import CheckpointError, ConfigError, InvalidResponseError, OktaIRError, UnsafeLinkError
from okta_ir.events import (
    EventBatch,
    RecentUuids,
    format_okta_time,
    org_label,
    parse_timestamp,
    split_json_array,
    stamp_org,
    stamped_json_lines,
)
from okta_ir.okta.links import parse_links
from okta_ir.okta.orgurl import origin_of

__all__ = [
    "LOGS_PATH",
    "EventSink",
    "PollStats",
    "StopRequested",
    "SystemLogPoller",
    "interruptible_sleep",
    "stop_on_signals",
]

log = logging.getLogger(__name__)

LOGS_PATH = "/api/v1/logs"
MAX_LOOKBACK_SECONDS = 180 * 86400
DEFAULT_LOOKBACK_SECONDS = 86400
PENDING = "pending"
QUERY = "query"


class EventSink(Protocol):
    """Where the poller delivers events.

    ``write_batch`` returns only once the events are durably written (flushed). ``recover`` is asked,
    after an interrupted run, which of the given uuids that run durably wrote. A sink that can tell
    (the JSONL sink reads its tail) answers exactly. A sink that cannot tell must choose: answering
    none re-delivers the batch (at-least-once in that one crash window; downstream dedupe on uuid
    fixes it), answering all of them may lose it. Answer none unless losing events is acceptable.

    The batch is an ``EventBatch``: event dicts stamped with ``okta_org``, and in ``json_lines`` each
    event's JSON text as Okta sent it with ``okta_org`` added. A sink that writes only ``json_lines``
    sets ``uses_json_lines = True``; its dicts are then left unstamped (saves a dict resize each).
    """

    def write_batch(self, events: Sequence[dict[str, Any]]) -> None:
        """Write and flush; raise to refuse (nothing is checkpointed past a refused batch)."""
        ...

    def recover(self, pending_uuids: Sequence[str]) -> set[str]:
        """The subset of ``pending_uuids`` that an interrupted run durably wrote."""
        ...


@dataclass
class PollStats:
    """What a run did: events written, duplicates dropped, pages and requests, timing."""

    events: int = 0
    duplicates: int = 0
    malformed: int = 0
    pages: int = 0
    empty_pages: int = 0
    recovered: int = 0
    refetches: int = 0  # pages fetched again because their body was cut short
    started: float = 0.0
    elapsed: float = 0.0
    done: bool = False
    stopped: bool = False
    reason: str = ""  # why the run ended: caught_up, done, max_events, stopped, no_next

    @property
    def events_per_second(self) -> float:
        """Events written per second of wall time (0 before the first second)."""
        return self.events / self.elapsed if self.elapsed > 0 else 0.0


@dataclass
class _Position:
    cursor: Optional[str]
    recent: RecentUuids
    done: bool = False


class _Prefetcher:
    """Requests the next page in one worker thread while the current page is parsed and written.

    The client is only ever used by one thread at a time: a request for another URL first waits for
    the one sent ahead, whose answer is kept for when its URL is asked for (after a page had to be
    fetched again).
    """

    def __init__(self, fetch: Callable[[str], Any]) -> None:
        self._fetch = fetch
        self._executor: Optional[ThreadPoolExecutor] = None
        self._ahead: Optional[tuple[str, Future]] = None

    def get(self, url: str) -> Any:
        ahead = self._ahead
        if ahead is not None and ahead[0] == url:
            self._ahead = None
            return ahead[1].result()
        if ahead is not None:
            ahead[1].exception()  # wait until the client is free; keep the answer for later
        return self._fetch(url)

    def start(self, url: str) -> None:
        if self._ahead is not None and self._ahead[0] == url:
            return  # already sent (or answered) ahead
        if self._executor is None:
            self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="okta-ir-prefetch")
        self._ahead = (url, self._executor.submit(self._fetch, url))

    def close(self) -> None:
        self._ahead = None
        if self._executor is not None:
            self._executor.shutdown(wait=True)
            self._executor = None


class SystemLogPoller:
    """Poll ``/api/v1/logs`` of one org into a sink, checkpointing under ``key`` in ``store``.

    ``client`` is an OktaClient (or anything with ``org_url`` and ``request(method, url)`` returning
    an httpx.Response after its own retries). ``sleep`` paces empty polls (default: waits on ``stop``).
    A bounded export resumes only with the same ``since``/``until`` unless ``strict_window`` is False
    (relative times such as ``7d``): then the window saved in the checkpoint is continued.
    """

    def __init__(
        self,
        client: Any,
        store: CheckpointStore,
        key: str,
        *,
        since: Optional[str] = None,
        until: Optional[str] = None,
        filter: Optional[str] = None,
        q: Optional[str] = None,
        limit: int = 1000,
        empty_poll_seconds: float = 10.0,
        stop: Optional[threading.Event] = None,
        sleep: Optional[Callable[[float], object]] = None,
        clock: Callable[[], float] = time.time,
        boundary_size: Optional[int] = None,
        body_attempts: int = 4,
        strict_window: bool = True,
    ) -> None:
        if not 1 <= limit <= 1000:
            raise ConfigError(f"limit must be between 1 and 1000 (got {limit})")
        if empty_poll_seconds < 0:
            raise ConfigError("empty_poll_seconds cannot be negative")
        self.client = client
        self.store = store
        self.key = key
        self.limit = limit
        self.filter = filter
        self.q = q
        self.empty_poll_seconds = empty_poll_seconds
        self.stop = stop if stop is not None else threading.Event()
        self._sleep = sleep if sleep is not None else self.stop.wait
        self._clock = clock
        self.boundary_size = boundary_size or max(2 * limit, 1000)
        self.body_attempts = max(1, body_attempts)
        self.strict_window = strict_window
        self.org_url = str(client.org_url).rstrip("/")
        self.org = org_label(self.org_url)
        now = clock()
        since_epoch = _parse_bound("since", since) if since else now - DEFAULT_LOOKBACK_SECONDS
        if since_epoch < now - MAX_LOOKBACK_SECONDS:
            raise ConfigError(f"since {since!r} is more than 180 days back; Okta refuses it (E0000053)")
        self.since = format_okta_time(since_epoch)
        self.until: Optional[str] = None
        if until:
            until_epoch = _parse_bound("until", until)
            if until_epoch <= since_epoch:
                raise ConfigError(f"until {until!r} is not after since {self.since!r}")
            self.until = format_okta_time(until_epoch)

    # -- checkpoint ------------------------------------------------------------------------------

    def _initial_url(self) -> str:
        params: list[tuple[str, str]] = [("since", self.since)]
        if self.until:
            params.append(("until", self.until))
        params.append(("limit", str(self.limit)))
        if self.filter:
            params.append(("filter", self.filter))
        if self.q:
            params.append(("q", self.q))
        return f"{self.org_url}{LOGS_PATH}?{urlencode(params)}"

    def _check_on_org(self, url: str, what: str) -> None:
        """UnsafeLinkError unless ``url`` is the System Log endpoint of this org (default ports filled in)."""
        try:
            origin, path = origin_of(url), urlsplit(url).path
        except (ConfigError, ValueError):
            raise UnsafeLinkError(f"{what} is not a valid URL: refused") from None
        if origin != origin_of(self.org_url) or path != LOGS_PATH:
            raise UnsafeLinkError(
                f"{what} leads off the org {self.org} (to {origin[1]}:{origin[2]}{path}): refused"
            )

    def _save(
        self, position: _Position, pending: Optional[tuple[list[str], Optional[str], bool]] = None
    ) -> None:
        extra: dict[str, Any] = {}
        if self.filter or self.q:  # the cursor carries them: a resumed run must ask the same
            extra[QUERY] = {"filter": self.filter, "q": self.q}
        if pending is not None:
            uuids, cursor, done = pending
            extra[PENDING] = {"uuids": uuids, "cursor": cursor, "done": done}
        self.store.save(
            self.key,
            Checkpoint(
                cursor=position.cursor,
                boundary_uuids=position.recent.snapshot(),
                org=self.org_url,
                since=self.since,
                until=self.until,
                done=position.done,
                extra=extra,
            ),
        )

    def _resume(self, sink: EventSink, stats: PollStats) -> _Position:
        saved = self.store.load(self.key)
        if saved is None:
            return _Position(cursor=None, recent=RecentUuids(self.boundary_size))
        if saved.org is None or saved.org.rstrip("/").lower() != self.org_url.lower():
            raise CheckpointError(
                f"checkpoint {self.key!r} belongs to org {saved.org!r}, not {self.org_url}; "
                "use another state location or delete it"
            )
        if saved.until != self.until or (self.until and saved.since != self.since):
            window = f"{saved.since} .. {saved.until}" if saved.until else "polling"
            if not (self.until and saved.until and not self.strict_window):
                raise CheckpointError(
                    f"checkpoint {self.key!r} was made for another collection ({window}); "
                    "use another state location or delete it"
                )
            log.info("continuing the export %s saved in checkpoint %r", window, self.key)
            self.since, self.until = saved.since or self.since, saved.until
        query = saved.extra.get(QUERY) or {}
        if (query.get("filter") or None, query.get("q") or None) != (self.filter or None, self.q or None):
            raise CheckpointError(
                f"checkpoint {self.key!r} was made with filter={query.get('filter')!r} q={query.get('q')!r}; "
                "use the same --filter/--q, another state location, or delete it"
            )
        if saved.cursor is not None:
            try:
                self._check_on_org(saved.cursor, "the checkpoint cursor")
            except UnsafeLinkError as exc:
                raise CheckpointError(f"{exc}; delete checkpoint {self.key!r}") from None
        position = _Position(saved.cursor, RecentUuids(self.boundary_size, saved.boundary_uuids), saved.done)
        pending = saved.extra.get(PENDING)
        if pending is not None:
            self._resolve_pending(sink, position, pending, stats)
        return position

    def _resolve_pending(self, sink: EventSink, position: _Position, pending: Any, stats: PollStats) -> None:
        uuids = pending.get("uuids") if isinstance(pending, dict) else None
        cursor = pending.get("cursor") if isinstance(pending, dict) else None
        if not isinstance(uuids, list) or not all(isinstance(u, str) for u in uuids):
            raise CheckpointError(f"checkpoint {self.key!r} has a malformed pending record; delete it")
        if cursor is not None:
            try:
                self._check_on_org(cursor, "the checkpoint's pending cursor")
            except UnsafeLinkError as exc:
                raise CheckpointError(f"{exc}; delete checkpoint {self.key!r}") from None
        written = sink.recover(uuids) & set(uuids)
        position.recent.add(u for u in uuids if u in written)
        stats.recovered = len(written)
        if uuids and len(written) == len(set(uuids)):  # all delivered: move on (else fetch it again)
            position.cursor = cursor
            position.done = bool(pending.get("done"))
        log.info(
            "resumed an interrupted write: %d of %d pending events were already delivered",
            len(written),
            len(set(uuids)),
        )
        self._save(position)

    def _page(
        self, pages: _Prefetcher, url: str, stats: PollStats, max_events: Optional[int]
    ) -> tuple[list[Any], list[str], Optional[str]]:
        """One page: its items, each item's JSON text, and the ``next`` link (checked on the org).

        The request for the next page is sent as soon as this page's headers name it, so the server
        prepares it while this one is parsed and written. The client retries 429, 5xx and broken
        connections; a 200 whose body is cut short is fetched again here (the client hands over
        the raw body so that events are parsed only once).
        """
        for attempt in range(1, self.body_attempts + 1):
            response = pages.get(url)
            next_url: Optional[str] = parse_links(response.headers.get_list("link")).get("next")
            if next_url is not None:
                self._check_on_org(next_url, "the next link")
                more_wanted = max_events is None or stats.events + self.limit < max_events
                # an empty page ("[]") means caught up in polling mode: nothing to fetch ahead
                if next_url != url and len(response.content) > 16 and more_wanted and not self.stop.is_set():
                    pages.start(next_url)
            try:
                items, texts = split_json_array(response.content)
            except InvalidResponseError as exc:
                if attempt == self.body_attempts:
                    raise InvalidResponseError(
                        f"{exc} on GET {LOGS_PATH} after {attempt} attempts: Okta or a proxy cut the answer; "
                        "retry later"
                    ) from None
                log.info("GET %s -> %s; fetching the page again (%d)", LOGS_PATH, exc, attempt)
                stats.refetches += 1
                self._sleep(min(8.0, 0.25 * 2**attempt))
                continue
            return items, texts, next_url
        raise AssertionError("unreachable")  # pragma: no cover

    # -- the loop --------------------------------------------------------------------------------

    def run(
        self,
        sink: EventSink,
        *,
        max_events: Optional[int] = None,
        follow: bool = False,
        progress: Optional[Callable[[PollStats], None]] = None,
    ) -> PollStats:
        """Collect until caught up (polling), the window ends (bounded), ``max_events``, or ``stop``.

        With ``follow`` (polling mode only) an empty page waits ``empty_poll_seconds`` and goes on.
        The checkpoint is always left at what the sink durably holds.
        """
        if max_events is not None and follow:
            raise ConfigError("max_events and follow exclude each other")
        if max_events is not None and max_events < 1:
            raise ConfigError("max_events must be at least 1")
        if follow and self.until:
            raise ConfigError("follow needs polling mode (no until)")
        stats = PollStats(started=self._clock())
        position = self._resume(sink, stats)
        if position.done:
            log.info("the bounded export %s .. %s is already complete", self.since, self.until)
            stats.done, stats.reason = True, "done"
            return stats
        dirty = False  # the position moved past what the saved checkpoint says
        stats.reason = "stopped"
        pages = _Prefetcher(lambda page_url: self.client.request("GET", page_url))
        try:
            while not self.stop.is_set():
                url = position.cursor or self._initial_url()
                try:
                    items, texts, next_url = self._page(pages, url, stats, max_events)
                except StopRequested:
                    break  # a pause before this page was cut short: nothing of it was taken
                stats.pages += 1
                events, uuids, duplicates, malformed, positions = position.recent.select_new(items)
                stats.duplicates += duplicates
                stats.malformed += malformed
                if malformed:
                    log.warning("dropped %d page items that are not JSON objects", malformed)
                if positions is not None:
                    texts = [texts[index] for index in positions]
                room = None if max_events is None else max_events - stats.events
                trimmed = room is not None and len(events) > room
                if trimmed:  # the rest of this page comes on the next run: stay on this page
                    events, uuids, texts = events[:room], uuids[:room], texts[:room]
                    after, done = url, False
                else:
                    after, done = (next_url or url), (next_url is None and self.until is not None)
                if events:
                    batch = EventBatch(events, stamped_json_lines(events, texts, self.org))
                    if not getattr(sink, "uses_json_lines", False):  # ~5 us an event: dicts grow
                        stamp_org(batch, self.org)
                    self._save(position, ([u for u in uuids if isinstance(u, str)], after, done))
                    dirty = False  # the intent covers all before it; if the write fails it must stay
                    sink.write_batch(batch)
                    stats.events += len(events)
                    position.recent.add(uuids)
                moved = after != position.cursor or done != position.done
                position.cursor, position.done = after, done
                dirty = dirty or moved or bool(events)
                if not items:
                    stats.empty_pages += 1
                if progress is not None:
                    stats.elapsed = self._clock() - stats.started
                    progress(stats)
                if done:
                    stats.reason = "done"
                    break
                if trimmed or (max_events is not None and stats.events >= max_events):
                    stats.reason = "max_events"
                    break
                if next_url is None and not self.until:
                    log.warning("Okta sent no next link in polling mode; stopping at the current page")
                    stats.reason = "no_next"
                    break
                caught_up = not self.until and (not items or (not events and next_url == url))
                if dirty and not events:
                    self._save(position)  # nothing written (no intent saved): record the new cursor now
                    dirty = False
                if caught_up:
                    if not follow:
                        stats.reason = "caught_up"
                        break
                    self._sleep(self.empty_poll_seconds)
                    stats.reason = "stopped"
        finally:
            pages.close()
            if dirty:
                self._save(position)
            stats.done = position.done
            stats.stopped = stats.reason == "stopped"
            stats.elapsed = self._clock() - stats.started
        return stats


def _parse_bound(name: str, value: str) -> float:
    epoch = parse_timestamp(value)
    if epoch is None:
        raise ConfigError(f"{name} {value!r} is not an ISO-8601 time such as 2024-05-01T00:00:00Z")
    return epoch


class StopRequested(OktaIRError):
    """Raised by ``interruptible_sleep`` when a stop was asked for while a request was waiting."""


def interruptible_sleep(stop: threading.Event) -> Callable[[float], None]:
    """A ``sleep`` for OktaClient that ends a rate-limit pause or retry backoff as soon as ``stop`` is set.

    It raises StopRequested instead of returning early, so the client does not send a request
    whose pause was cut short; the poller ends its run cleanly on it.
    """

    def sleep(seconds: float) -> None:
        if stop.wait(seconds):
            raise StopRequested("stop requested while waiting to retry")

    return sleep


@contextmanager
def stop_on_signals(
    stop: threading.Event, signals: Sequence[int] = (signal.SIGTERM, signal.SIGINT)
) -> Iterator[None]:
    """Within the block, the given signals set ``stop`` (the poller finishes its page and saves)."""
    previous = {}
    for signum in signals:
        previous[signum] = signal.signal(signum, lambda _signum, _frame: stop.set())
    try:
        yield
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)
