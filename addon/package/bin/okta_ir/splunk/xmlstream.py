"""The modular input's event sink: splunkd's ``<stream><event>...</event></stream>`` XML, written fast.

One ``write`` and one ``flush`` per batch (splunklib's EventWriter flushes per event). Each event is
compact JSON (non-ASCII kept as is) escaped for XML; characters JSON leaves raw but XML 1.0 forbids
(U+FFFE, U+FFFF, lone surrogates) are written as their JSON ``\\uXXXX`` escapes, so the data still
parses back to the very same JSON. ``<time>`` is the event's ``published`` time (UTC epoch seconds).
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from datetime import date
from typing import IO, Any, Optional

from okta_ir.events import published_epoch

__all__ = ["SOURCETYPE", "XmlEventStream", "close_stream", "open_stream", "xml_escape"]

SOURCETYPE = "OktaIM2:log"

# Compact JSON never holds a raw newline (json escapes it), so batches are escaped in one pass
# over the newline-joined texts and split again.
_EPOCH_ORDINAL = date(1970, 1, 1).toordinal()
_INVALID_XML = re.compile("[\ufffe\uffff\ud800-\udfff]")


def _json_escape_char(match: re.Match[str]) -> str:
    return f"\\u{ord(match.group(0)):04x}"


def _encodable(text: str) -> bool:
    """False when ``text`` holds a lone surrogate (UTF-8 cannot encode it; XML 1.0 forbids it)."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def xml_escape(text: str) -> str:
    """Escape ``&``, ``<``, ``>`` and quotes for XML text or attribute values."""
    return (
        text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")
    )


def open_stream(out: IO[bytes]) -> None:
    """Begin splunkd's event stream (once per process, before any input writes)."""
    out.write(b"<stream>")
    out.flush()


def close_stream(out: IO[bytes]) -> None:
    """End splunkd's event stream (once per process, after every input is done)."""
    out.write(b"</stream>")
    out.flush()


class XmlEventStream:
    """Writes ``<event>`` elements for splunkd to ``out`` (binary, e.g. ``sys.stdout.buffer``) inside a
    stream begun by ``open_stream``.

    Implements the poller's EventSink: ``write_batch`` returns once splunkd's pipe has the batch.
    The event data comes from the batch's ``json_lines`` (the dicts give only ``<time>``), so the
    poller need not stamp ``okta_org`` into the dicts as well.
    """

    uses_json_lines = True

    def __init__(
        self,
        out: IO[bytes],
        *,
        index: Optional[str] = None,
        source: Optional[str] = None,
        sourcetype: str = SOURCETYPE,
        host: Optional[str] = None,
        stanza: Optional[str] = None,
    ) -> None:
        self._out = out
        # events come from JSON, so they cannot be circular: skip the per-container marker bookkeeping
        encoder = json.JSONEncoder(separators=(",", ":"), ensure_ascii=False, check_circular=False)
        self._encode = encoder.encode
        stanza_attr = f' stanza="{xml_escape(stanza)}"' if stanza else ""
        self._open = f"<event{stanza_attr}>"
        tail = f"<sourcetype>{xml_escape(sourcetype)}</sourcetype>"
        if index:
            tail += f"<index>{xml_escape(index)}</index>"
        if source:
            tail += f"<source>{xml_escape(source)}</source>"
        if host:
            tail += f"<host>{xml_escape(host)}</host>"
        self._tail = tail + "<data>"
        self.events_written = 0

    @staticmethod
    def _epoch(event: dict[str, Any]) -> Optional[float]:
        """``published`` as epoch seconds; Okta's canonical ``YYYY-MM-DDTHH:MM:SS.mmmZ`` without regex."""
        p = event.get("published") if isinstance(event, dict) else None
        if (
            isinstance(p, str)
            and len(p) == 24
            and p[4] + p[7] + p[10] + p[13] + p[16] + p[19] + p[23] == "--T::.Z"
        ):
            digits = p[0:4] + p[5:7] + p[8:10] + p[11:13] + p[14:16] + p[17:19] + p[20:23]
            if digits.isascii() and digits.isdigit():
                hour, minute, second = int(p[11:13]), int(p[14:16]), int(p[17:19])
                try:
                    days = date(int(p[0:4]), int(p[5:7]), int(p[8:10])).toordinal() - _EPOCH_ORDINAL
                except ValueError:
                    return None  # an impossible date (2017-09-31): no <time>, splunkd decides
                if hour < 24 and minute < 60 and second < 60:
                    return days * 86400 + hour * 3600 + minute * 60 + second + int(p[20:23]) / 1000.0
        return published_epoch(event)

    def write_batch(self, events: Sequence[dict[str, Any]]) -> None:
        """Write the events as one chunk of ``<event>`` elements and flush.

        An ``EventBatch`` from the poller carries each event's JSON text (one line, as Okta sent it
        plus ``okta_org``): it is written as is, so events are never encoded again.
        """
        if not events:
            return
        lines = getattr(events, "json_lines", None)  # the poller's EventBatch: each event's own text
        if lines is None or len(lines) != len(events):
            encode = self._encode
            lines = [encode(event) for event in events]
        joined = "\n".join(lines)
        joined = joined.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
        if "\ufffe" in joined or "\uffff" in joined or not _encodable(joined):
            joined = _INVALID_XML.sub(_json_escape_char, joined)
        datas = joined.split("\n")
        head, tail = self._open, self._tail
        epoch_of = self._epoch
        parts: list[str] = []
        for event, data in zip(events, datas):
            epoch = epoch_of(event)
            time_tag = "" if epoch is None else f"<time>{epoch:.3f}</time>"
            parts.append(f"{head}{time_tag}{tail}{data}</data></event>")
        self._out.write("".join(parts).encode("utf-8"))
        self._out.flush()
        self.events_written += len(events)

    def recover(self, pending_uuids: Sequence[str]) -> set[str]:
        """splunkd cannot be asked what it received: answer none (the batch is sent again; see EventSink)."""
        return set()
