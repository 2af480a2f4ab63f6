"""Analyst views over a loaded :class:`HuntEngine`: indicators of compromise and session timelines.

* :func:`iocs` -- from the events the findings matched: source IPs, user agents, countries, targeted
  applications (``target[]`` elements of type ``AppInstance``) and compromised accounts (actors of a
  matched SUCCESSFUL sign-in: ``user.session.start`` or ``user.authentication.*``), each with the number
  of matched events, most frequent first.
* :func:`session_timeline` -- every event of one Okta session (``authenticationContext.externalSessionId``)
  in time order, with the titles of the rules whose findings include it.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from typing import Any

from detections.engine import ISO_UTC, Finding, HuntEngine

__all__ = ["Iocs", "TimelineEntry", "iocs", "session_timeline"]

_SIGN_IN = "(eventType = 'user.session.start' OR eventType LIKE 'user.authentication.%')"


@dataclass
class Iocs:
    """Indicator lists as ``[value, matched event count]`` pairs, most frequent first."""

    source_ips: list[list[Any]] = field(default_factory=list)
    user_agents: list[list[Any]] = field(default_factory=list)
    countries: list[list[Any]] = field(default_factory=list)
    targeted_apps: list[list[Any]] = field(default_factory=list)
    compromised_accounts: list[list[Any]] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict."""
        return asdict(self)


@dataclass
class TimelineEntry:
    """One event of a session timeline."""

    published: str
    uuid: str
    event_type: str
    actor: str
    client_ip: str
    country: str
    outcome: str
    message: str
    rules: list[str]

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict."""
        return asdict(self)


def _matched(engine: HuntEngine, findings: list[Finding]) -> None:
    conn = engine.connection
    conn.execute("CREATE TEMP TABLE IF NOT EXISTS okta_ir_matched (uuid TEXT PRIMARY KEY)")
    conn.execute("DELETE FROM temp.okta_ir_matched")
    uuids = sorted({u for f in findings for u in f.event_uuids})
    conn.execute(
        "INSERT OR IGNORE INTO temp.okta_ir_matched SELECT value FROM json_each(?)", (json.dumps(uuids),)
    )


def _top(engine: HuntEngine, column: str, where: str = "") -> list[list[Any]]:
    col = engine.column_sql(column)
    sql = (
        f"SELECT {col}, COUNT(*) AS n FROM logs WHERE uuid IN (SELECT uuid FROM temp.okta_ir_matched) "
        f"AND {col} IS NOT NULL AND {col} != '' {where} GROUP BY {col} COLLATE NOCASE ORDER BY n DESC, {col}"
    )
    return [[row[0], row[1]] for row in engine.connection.execute(sql)]


def iocs(engine: HuntEngine, findings: list[Finding]) -> Iocs:
    """Indicators of compromise from the events of ``findings``."""
    _matched(engine, findings)
    apps_sql = (
        "SELECT json_extract(t.value, '$.displayName') AS app, COUNT(*) AS n "
        "FROM logs, json_each(logs.target) t "
        "WHERE logs.uuid IN (SELECT uuid FROM temp.okta_ir_matched) "
        "AND json_extract(t.value, '$.type') = 'AppInstance' AND app IS NOT NULL "
        "GROUP BY app ORDER BY n DESC, app"
    )
    return Iocs(
        source_ips=_top(engine, "client.ipAddress"),
        user_agents=_top(engine, "client.userAgent.rawUserAgent"),
        countries=_top(engine, "client.geographicalContext.country"),
        targeted_apps=[[r[0], r[1]] for r in engine.connection.execute(apps_sql)],
        compromised_accounts=_top(
            engine, "actor.alternateId", f"AND {_SIGN_IN} AND `outcome.result` = 'SUCCESS'"
        ),
    )


def session_timeline(engine: HuntEngine, session_id: str, findings: list[Finding]) -> list[TimelineEntry]:
    """Every event of session ``session_id`` in time order, tagged with the rules that flagged it."""
    flagged: dict[str, list[str]] = {}
    for finding in findings:
        for uuid in finding.event_uuids:
            titles = flagged.setdefault(uuid, [])
            if finding.title not in titles:
                titles.append(finding.title)
    sql = (
        f"SELECT COALESCE({ISO_UTC.format(col='published')}, published), uuid, eventType, "
        "`actor.alternateId`, "
        "`client.ipAddress`, `client.geographicalContext.country`, `outcome.result`, displayMessage "
        "FROM logs WHERE `authenticationContext.externalSessionId` = ? ORDER BY julianday(published), rowid"
    )
    entries = []
    for row in engine.connection.execute(sql, (session_id,)):
        v = ["" if value is None else str(value) for value in row]
        entries.append(
            TimelineEntry(
                published=v[0], uuid=v[1], event_type=v[2], actor=v[3], client_ip=v[4], country=v[5],
                outcome=v[6], message=v[7], rules=flagged.get(v[1], []),
            )
        )
    return entries
