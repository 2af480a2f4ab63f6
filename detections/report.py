"""``okta-ir hunt FILE --html report.html``: a self-contained HTML hunt report.

    write_html_report(engine, findings, "report.html")

One file, no network at view time (inline CSS, JS and SVG; a Content-Security-Policy forbids any
fetch): summary, event timeline (events and failures over time, findings marked by stage), findings
by lifecycle stage, IOCs ready to copy, compromised accounts with their flagged session timelines,
and a map of sign-ins on a generated world outline.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from html import escape
from pathlib import Path
from typing import Any, Union

from detections.analyst import Iocs, TimelineEntry, iocs, session_timeline
from detections.dashboards import STAGES
from detections.engine import Finding, HuntEngine
from detections.errors import HuntInputError
from detections.worldmap import land_paths, project

__all__ = ["ReportData", "collect", "render_html", "write_html_report"]

BINS = 80
MAX_ACCOUNTS = 10
MAX_SESSIONS = 5
MAX_TIMELINE = 300
STAGE_COLORS = {
    "reconnaissance": "#4e9af1",
    "initial_compromise": "#f2a93b",
    "foothold_escalation": "#e5534b",
    "mission": "#b45cf0",
}
OTHER_COLOR = "#8b949e"
LAT, LON = "client.geographicalContext.geolocation.lat", "client.geographicalContext.geolocation.lon"
MAP_W, MAP_H = 960, 420


@dataclass
class Session:
    """One session of a compromised account."""

    session_id: str
    timeline: list[TimelineEntry]
    total: int


@dataclass
class ReportData:
    """Everything the report shows (computed from the engine and the findings)."""

    events: int
    first: str
    last: str
    findings: list[Finding]
    bins: list[tuple[str, int, int]]  # (bucket start, events, failures)
    iocs: Iocs
    accounts: dict[str, list[Session]]
    signins: list[tuple[float, float, str, int, bool]]  # lat, lon, place, count, from an IOC IP
    has_geo: bool
    notes: list[str] = field(default_factory=list)


def _col(engine: HuntEngine, okta_path: str) -> str:
    return engine.column_sql(okta_path)


def _bins(engine: HuntEngine, first: str, last: str) -> list[tuple[str, int, int]]:
    conn = engine.connection
    j0, j1 = conn.execute("SELECT julianday(?), julianday(?)", (first, last)).fetchone()
    if j0 is None or j1 is None:
        return []
    width = max((j1 - j0) / BINS, 1.0 / 86400)
    outcome = _col(engine, "outcome.result")
    rows = conn.execute(
        f"SELECT MIN(CAST((julianday(published) - ?) / ? AS INTEGER), ?) AS b, COUNT(*), "
        f"SUM({outcome} = 'FAILURE') FROM logs WHERE julianday(published) IS NOT NULL GROUP BY b",
        (j0, width, BINS - 1),
    ).fetchall()
    counts = {int(b): (int(n), int(f or 0)) for b, n, f in rows}
    out = []
    for b in range(BINS):
        stamp = conn.execute("SELECT strftime('%Y-%m-%dT%H:%M:%SZ', ? + ? * ?)", (j0, b, width)).fetchone()[0]
        n, f = counts.get(b, (0, 0))
        out.append((stamp, n, f))
    return out


def _accounts(engine: HuntEngine, found: Iocs, findings: list[Finding]) -> dict[str, list[Session]]:
    actor = _col(engine, "actor.alternateId")
    session = _col(engine, "authenticationContext.externalSessionId")
    flagged = sorted({u for f in findings for u in f.event_uuids})
    accounts: dict[str, list[Session]] = {}
    for login, _count in found.compromised_accounts[:MAX_ACCOUNTS]:
        rows = engine.connection.execute(
            f"SELECT {session}, SUM(uuid IN (SELECT value FROM json_each(?))) AS hits, "
            "MIN(julianday(published)) "
            f"FROM logs WHERE {actor} = ? COLLATE NOCASE AND {session} IS NOT NULL AND {session} != '' "
            f"GROUP BY {session} HAVING hits > 0 ORDER BY 3 LIMIT ?",
            (json.dumps(flagged), login, MAX_SESSIONS),
        ).fetchall()
        sessions = []
        for session_id, _hits, _first in rows:
            entries = session_timeline(engine, str(session_id), findings)
            sessions.append(Session(str(session_id), entries[:MAX_TIMELINE], len(entries)))
        accounts[str(login)] = sessions
    return accounts


def _signins(engine: HuntEngine, found: Iocs) -> list[tuple[float, float, str, int, bool]]:
    lat, lon = _col(engine, LAT), _col(engine, LON)
    ip = _col(engine, "client.ipAddress")
    country = _col(engine, "client.geographicalContext.country")
    bad = json.dumps([str(v) for v, _ in found.source_ips])
    rows = engine.connection.execute(
        f"SELECT ROUND(CAST({lat} AS REAL), 1) AS la, ROUND(CAST({lon} AS REAL), 1) AS lo, "
        f"MAX(COALESCE({country}, '')), COUNT(*), MAX({ip} IN (SELECT value FROM json_each(?))) "
        f"FROM logs WHERE eventType = 'user.session.start' AND {lat} IS NOT NULL AND {lon} IS NOT NULL "
        "GROUP BY la, lo ORDER BY la, lo",
        (bad,),
    ).fetchall()
    return [(float(a), float(o), str(c), int(n), bool(x)) for a, o, c, n, x in rows]


def collect(engine: HuntEngine, findings: Sequence[Finding]) -> ReportData:
    """Query the engine for everything the report shows."""
    findings = list(findings)
    total, first, last = engine.connection.execute(
        "SELECT COUNT(*), MIN(published), MAX(published) FROM logs"
    ).fetchone()
    if not total:
        raise HuntInputError("no events loaded: nothing to report on")
    found = iocs(engine, findings)
    has_geo = LAT in engine.columns and LON in engine.columns
    notes = (
        [] if has_geo else ["Sign-in coordinates were not loaded (engine built for the rules' fields only)."]
    )
    return ReportData(
        events=int(total),
        first=str(first),
        last=str(last),
        findings=findings,
        bins=_bins(engine, str(first), str(last)),
        iocs=found,
        accounts=_accounts(engine, found, findings),
        signins=_signins(engine, found) if has_geo else [],
        has_geo=has_geo,
        notes=notes,
    )


# rendering -----------------------------------------------------------------------------------------
def _e(value: Any) -> str:
    return escape("" if value is None else str(value), quote=True)


def _stage_order(stage: str) -> tuple[int, str]:
    return (STAGES.index(stage), stage) if stage in STAGES else (len(STAGES), stage)


def _stage_label(stage: str) -> str:
    return (stage or "no stage").replace("_", " ").capitalize()


def _iso_seconds(stamp: str) -> float:
    return dt.datetime.fromisoformat(stamp.replace("Z", "+00:00")).timestamp()


def _timeline_svg(data: ReportData) -> str:
    if not data.bins:
        return "<p>No event times to draw.</p>"
    w, h, pad = 960, 220, 30
    peak = max(n for _, n, _ in data.bins) or 1
    bw = (w - 2 * pad) / len(data.bins)
    bars = []
    for i, (stamp, n, fails) in enumerate(data.bins):
        x = pad + i * bw
        bh = (h - 2 * pad) * n / peak
        fh = (h - 2 * pad) * fails / peak
        bars.append(
            f'<rect class="ev" x="{x:.1f}" y="{h - pad - bh:.1f}" width="{max(bw - 1, 1):.1f}" '
            f'height="{bh:.1f}">'
            f"<title>{_e(stamp)}: {n} events, {fails} failures</title></rect>"
        )
        if fails:
            bars.append(
                f'<rect class="fail" x="{x:.1f}" y="{h - pad - fh:.1f}" width="{max(bw - 1, 1):.1f}" '
                f'height="{fh:.1f}"/>'
            )
    t0, t1 = _iso_seconds(data.bins[0][0]), _iso_seconds(data.last) if data.last else 0.0
    span = max(t1 - t0, 1.0)
    marks = []
    for f in data.findings:
        if not f.first_seen:
            continue
        x = pad + (w - 2 * pad) * min(max((_iso_seconds(f.first_seen) - t0) / span, 0.0), 1.0)
        color = STAGE_COLORS.get(f.stage, OTHER_COLOR)
        marks.append(
            f'<circle class="mark" cx="{x:.1f}" cy="{pad - 12}" r="5" fill="{color}">'
            f"<title>{_e(f.first_seen)} {_e(f.title)}</title></circle>"
        )
    axis = (
        f'<text x="{pad}" y="{h - 8}" class="axis">{_e(data.first)}</text>'
        f'<text x="{w - pad}" y="{h - 8}" class="axis" text-anchor="end">{_e(data.last)}</text>'
    )
    return (
        f'<svg viewBox="0 0 {w} {h}" role="img" aria-label="events over time">'
        + "".join(bars)
        + "".join(marks)
        + axis
        + "</svg>"
    )


def _legend() -> str:
    items = [
        f'<span><i style="background:{c}"></i>{_e(_stage_label(s))}</span>' for s, c in STAGE_COLORS.items()
    ]
    items.append('<span><i class="ev"></i>events</span><span><i class="fail"></i>failures</span>')
    return '<p class="legend">' + "".join(items) + "</p>"


def _findings_html(findings: list[Finding]) -> str:
    if not findings:
        return "<p>No findings.</p>"
    parts = []
    for stage in sorted({f.stage for f in findings}, key=_stage_order):
        members = [f for f in findings if f.stage == stage]
        color = STAGE_COLORS.get(stage, OTHER_COLOR)
        rows = "".join(
            f"<tr><td>{_e(f.level)}</td><td>{_e(f.title)}</td><td>{_e(f.kind)}</td>"
            f"<td class=num>{f.count}</td>"
            f"<td>{_e(f.first_seen)}</td><td>{_e(f.last_seen)}</td>"
            f"<td>{_e(' '.join(f'{k}={v}' for k, v in f.group.items()))}</td></tr>"
            for f in members
        )
        parts.append(
            f'<div class="stage" data-stage="{_e(stage)}"><h3 style="border-color:{color}">'
            f"{_e(_stage_label(stage))}"
            f" <small>({len(members)})</small></h3><table><thead><tr><th>level</th><th>detection</th>"
            "<th>kind</th>"
            f"<th>events</th><th>first seen</th><th>last seen</th><th>group</th></tr></thead><tbody>{rows}"
            "</tbody></table></div>"
        )
    return "".join(parts)


def _iocs_html(found: Iocs) -> str:
    blocks = []
    for name, values in found.to_dict().items():
        label = name.replace("_", " ")
        text = "\n".join(str(v) for v, _ in values)
        items = "".join(f"<li><code>{_e(v)}</code> <small>{n}</small></li>" for v, n in values[:50])
        blocks.append(
            f'<div class="ioc" data-ioc="{_e(name)}"><h3>{_e(label)} <small>({len(values)})</small>'
            f'<button type="button" class="copy" data-target="ioc-{_e(name)}">copy</button></h3>'
            f"<ul>{items or '<li>none</li>'}</ul>"
            f'<textarea readonly id="ioc-{_e(name)}" rows="3">{_e(text)}</textarea>'
            "</div>"
        )
    return '<div class="iocs">' + "".join(blocks) + "</div>"


def _accounts_html(accounts: dict[str, list[Session]]) -> str:
    if not accounts:
        return "<p>No account signed in successfully in a flagged event.</p>"
    parts = []
    for login, sessions in accounts.items():
        inner = []
        for s in sessions:
            rows = "".join(
                f'<tr class="{"hit" if t.rules else ""}"><td>{_e(t.published)}</td>'
                f"<td>{_e(t.event_type)}</td>"
                f"<td>{_e(t.client_ip)}</td><td>{_e(t.country)}</td><td>{_e(t.outcome)}</td>"
                f"<td>{_e('; '.join(t.rules))}</td></tr>"
                for t in s.timeline
            )
            more = (
                f"<p>{s.total - len(s.timeline)} more events not shown.</p>"
                if s.total > len(s.timeline)
                else ""
            )
            inner.append(
                f"<details open><summary>session <code>{_e(s.session_id)}</code> ({s.total} events)</summary>"
                "<table><thead><tr><th>time</th><th>event</th><th>ip</th><th>country</th><th>outcome</th>"
                f"<th>flagged by</th></tr></thead><tbody>{rows}</tbody></table>{more}</details>"
            )
        body = "".join(inner) or "<p>No session with a flagged event.</p>"
        parts.append(f'<div class="account"><h3><code>{_e(login)}</code></h3>{body}</div>')
    return "".join(parts)


def _map_svg(data: ReportData) -> str:
    land = "".join(f'<path class="land" d="{d}"/>' for d in land_paths(MAP_W, MAP_H))
    peak = max((n for *_, n, _ in data.signins), default=1)
    dots = []
    for lat, lon, place, n, bad in data.signins:
        x, y = project(lon, lat, MAP_W, MAP_H)
        r = 3 + 9 * (n / peak) ** 0.5
        dots.append(
            f'<circle class="{"bad" if bad else "ok"}" cx="{x}" cy="{y}" r="{r:.1f}">'
            f"<title>{_e(place)} ({lat}, {lon}): {n} sign-ins{' from an IOC IP' if bad else ''}"
            "</title></circle>"
        )
    note = "".join(f"<p>{_e(n)}</p>" for n in data.notes)
    return (
        f'{note}<svg viewBox="0 0 {MAP_W} {MAP_H}" role="img" aria-label="map of sign-ins">'
        f'<rect class="sea" width="{MAP_W}" height="{MAP_H}"/>{land}{"".join(dots)}</svg>'
        '<p class="legend"><span><i class="ok"></i>sign-ins</span>'
        '<span><i class="bad"></i>from an IOC IP</span></p>'
    )


CSS = """
body{font:14px/1.45 system-ui,-apple-system,Segoe UI,sans-serif;margin:0;background:#0f1419;color:#d7dde3}
header,section{max-width:1100px;margin:0 auto;padding:12px 20px}
h1{font-size:22px;margin:18px 0 4px}h2{font-size:18px;border-bottom:1px solid #2d333b;padding-bottom:4px}
h3{font-size:15px;margin:14px 0 6px;border-left:4px solid #444;padding-left:8px}small{color:#8b949e}
table{border-collapse:collapse;width:100%;font-size:12.5px}th,td{text-align:left;padding:3px 6px;
border-bottom:1px solid #252b33;vertical-align:top}th{color:#8b949e;font-weight:600}td.num{text-align:right}
tr.hit td{background:#3a1d1d}code{font:12px ui-monospace,Menlo,monospace;color:#e6edf3}
svg{width:100%;height:auto;background:#11171d;border-radius:6px}.ev{fill:#3b6ea8}.fail{fill:#e5534b}
.axis{fill:#8b949e;font-size:11px}.sea{fill:#0b2236}.land{fill:#2b3a2f;stroke:#4d6b55;stroke-width:.6}
circle.ok{fill:#3fb950;fill-opacity:.75}circle.bad{fill:#e5534b;fill-opacity:.85;stroke:#fff;stroke-width:1}
.legend span{margin-right:14px;font-size:12px}.legend i{display:inline-block;width:10px;height:10px;
margin-right:4px;border-radius:2px;background:#3fb950}.legend i.ev{background:#3b6ea8}.legend i.fail,
.legend i.bad{background:#e5534b}.cards{display:flex;gap:12px;flex-wrap:wrap}.card{background:#161c22;
padding:10px 16px;border-radius:6px;min-width:150px}.card b{display:block;font-size:24px}
.iocs{display:grid;grid-template-columns:repeat(auto-fill,minmax(320px,1fr));gap:12px}.ioc ul{margin:0;
padding-left:18px;max-height:180px;overflow:auto}.ioc textarea{width:100%;background:#0b0f14;color:#d7dde3;
border:1px solid #2d333b;font:12px ui-monospace,monospace}button.copy{margin-left:8px;font-size:11px;
background:#21262d;color:#d7dde3;border:1px solid #3d444d;border-radius:4px;cursor:pointer}
details{margin:6px 0 12px}summary{cursor:pointer}
"""

JS = """
document.querySelectorAll('button.copy').forEach(function (b) {
  b.addEventListener('click', function () {
    var t = document.getElementById(b.getAttribute('data-target'));
    t.select();
    var done = function () { b.textContent = 'copied'; };
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(t.value).then(done, function () {
        document.execCommand('copy'); done();
      });
    } else { document.execCommand('copy'); done(); }
  });
});
"""

CSP = "default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:"


def render_html(data: ReportData, title: str = "Okta hunt report") -> str:
    """The report page (one string, nothing external)."""
    stages = {f.stage for f in data.findings}
    cards = [
        ("events", data.events),
        ("findings", len(data.findings)),
        ("stages reached", len(stages)),
        ("compromised accounts", len(data.accounts)),
        ("IOC IPs", len(data.iocs.source_ips)),
    ]
    card_html = "".join(f'<div class="card"><b>{v}</b>{_e(k)}</div>' for k, v in cards)
    sections = [
        ("timeline", "Event timeline", _legend() + _timeline_svg(data)),
        ("stages", "Findings by lifecycle stage", _findings_html(data.findings)),
        ("iocs", "Indicators of compromise", _iocs_html(data.iocs)),
        ("accounts", "Compromised accounts and their sessions", _accounts_html(data.accounts)),
        ("map", "Sign-ins by location", _map_svg(data)),
    ]
    body = "".join(
        f'<section id="{sid}"><h2>{_e(label)}</h2>{html}</section>' for sid, label, html in sections
    )
    return (
        "<!doctype html><html lang=en><head><meta charset=utf-8>"
        f'<meta http-equiv="Content-Security-Policy" content="{CSP}">'
        '<meta name=viewport content="width=device-width,initial-scale=1">'
        f"<title>{_e(title)}</title><style>{CSS}</style></head><body>"
        f'<header id="summary"><h1>{_e(title)}</h1>'
        f"<p>{data.events} events from {_e(data.first)} to {_e(data.last)}"
        f'</p><div class="cards">{card_html}</div></header>{body}<script>{JS}</script></body></html>\n'
    )


def write_html_report(
    engine: HuntEngine, findings: Sequence[Finding], path: Union[str, Path], title: str = "Okta hunt report"
) -> Path:
    """Write the self-contained report of ``findings`` over the events in ``engine``; returns the path."""
    target = Path(path)
    if not target.parent.is_dir():
        raise HuntInputError(f"cannot write the report: directory {str(target.parent)!r} does not exist")
    html = render_html(collect(engine, findings), title)
    try:
        target.write_text(html, encoding="utf-8")
    except OSError as exc:
        raise HuntInputError(f"cannot write the report {str(target)!r}: {exc.strerror}") from None
    return target
