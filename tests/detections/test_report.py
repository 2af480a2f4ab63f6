from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest

from detections.engine import HuntEngine
from detections.errors import HuntInputError
from detections.report import collect, render_html, write_html_report
from detections.rules import load_rules
from tests.dashboards.story import story

RULES = Path(__file__).resolve().parents[2] / "sigma-rules"
SECTIONS = ["#summary", "#timeline", "#stages", "#iocs", "#accounts", "#map"]
HOSTILE_UA = '<script>alert("x")</script><img src="https://evil.example/x.png">'


@pytest.fixture(scope="module")
def hunted() -> Any:
    events = story()
    events[-1] = copy.deepcopy(events[-1])
    events[-1]["client"]["userAgent"]["rawUserAgent"] = HOSTILE_UA  # ann's sign-in from DE (flagged)
    rules = load_rules(RULES)
    engine = HuntEngine()
    engine.load_events(events)
    findings = engine.run(rules)
    yield engine, findings
    engine.close()


def test_collect_figures(hunted: Any) -> None:
    engine, findings = hunted
    data = collect(engine, findings)
    assert (data.events, data.first, data.last) == (
        31,
        "2026-11-02T08:05:00.000Z",
        "2026-11-02T09:00:00.000Z",
    )
    assert len(data.findings) == 11
    assert sum(n for _, n, _ in data.bins) == 31 and sum(f for *_, f in data.bins) == 12
    assert len(data.bins) == 80
    assert list(data.accounts) == ["bob@example.com", "ann@example.com"]
    bob = {s.session_id: s for s in data.accounts["bob@example.com"]}
    assert sorted(bob) == ["102evil", "102sess1"]
    assert bob["102evil"].total == 10
    assert [t.event_type for t in bob["102evil"].timeline][-1] == "user.mfa.factor.reset_all"
    assert data.has_geo is True
    assert data.signins == [
        (37.8, -122.4, "US", 3, True),
        (44.4, 26.1, "RO", 13, True),
        (52.5, 13.4, "DE", 1, True),
    ]


def test_html_is_self_contained_and_escaped(hunted: Any) -> None:
    engine, findings = hunted
    html = render_html(collect(engine, findings), title='Hunt <"x">')
    assert "<title>Hunt &lt;&quot;x&quot;&gt;</title>" in html
    assert HOSTILE_UA not in html
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in html
    assert "default-src 'none'" in html
    for attr in ('src="http', "src='http", 'href="http', "url(http", "@import"):
        assert attr not in html
    for section in SECTIONS:
        assert f'id="{section[1:]}"' in html
    assert html.count('<div class="stage"') == 4


def test_report_errors_are_one_line(hunted: Any, tmp_path: Path) -> None:
    engine, findings = hunted
    with pytest.raises(HuntInputError, match=r"directory .* does not exist"):
        write_html_report(engine, findings, tmp_path / "missing" / "r.html")
    with HuntEngine() as empty, pytest.raises(HuntInputError, match="no events loaded"):
        write_html_report(empty, [], tmp_path / "r.html")
    assert not (tmp_path / "r.html").exists()


def test_no_findings_still_reports(hunted: Any, tmp_path: Path) -> None:
    engine, _ = hunted
    html = write_html_report(engine, [], tmp_path / "quiet.html").read_text()
    assert "<p>No findings.</p>" in html and "No account signed in successfully" in html


@pytest.mark.browser
def test_report_opens_offline_without_errors(hunted: Any, tmp_path: Path) -> None:
    from dashboards.browser import open_page

    engine, findings = hunted
    page = write_html_report(engine, findings, tmp_path / "report.html")
    seen = open_page(page, SECTIONS)
    assert seen["errors"] == [] and seen["requests"] == []
    assert seen["title"] == "Okta hunt report"
    assert all(s["present"] and s["visible"] for s in seen["sections"].values()), seen["sections"]
    assert "Foothold escalation (3)" in seen["sections"]["#stages"]["text"]
    assert "203.0.113.66" in seen["sections"]["#iocs"]["text"]
    assert "session 102evil (10 events)" in seen["sections"]["#accounts"]["text"]
    assert "31\nevents" in seen["sections"]["#summary"]["text"]


def test_hunt_cli_writes_the_report(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    import json

    from okta_ir.cli import main

    events = tmp_path / "events.jsonl"
    events.write_text("".join(json.dumps(e) + "\n" for e in story()), encoding="utf-8")
    out = tmp_path / "report.html"
    assert main(["hunt", str(events), "--html", str(out)]) == 0
    assert f"report written to {out}" in capsys.readouterr().err
    html = out.read_text(encoding="utf-8")
    assert html.count('<circle class="bad"') == 3  # the map got coordinates: the CLI loaded them
    assert main(["hunt", str(events), "--html", str(tmp_path / "nope" / "r.html")]) == 1
    assert "cannot write the report: directory" in capsys.readouterr().err
