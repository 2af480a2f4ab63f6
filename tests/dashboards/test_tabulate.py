from __future__ import annotations

import datetime as dt

from dashboards.tabulate import count_by, ctime, event_time, path, snapshot, span_for, timechart


def ev(published: str, **fields: object) -> dict[str, object]:
    return {"published": published, **fields}


def test_path_reads_nested_and_array_fields() -> None:
    event = {
        "client": {"geographicalContext": {"country": "DE"}},
        "target": [{"alternateId": "a"}, {"alternateId": ""}, {"type": "x"}, {"alternateId": "b"}],
    }
    assert path(event, "client.geographicalContext.country") == "DE"
    assert path(event, "client.ipAddress") is None
    assert path(event, "target{}.alternateId") == ["a", "b"]
    assert path({"target": None}, "target{}.alternateId") == []


def test_event_time_is_utc_whatever_the_offset() -> None:
    assert event_time(ev("2026-11-02T10:00:00.000+02:00")) == dt.datetime(
        2026, 11, 2, 8, tzinfo=dt.timezone.utc
    )
    assert ctime(event_time(ev("2026-11-02T08:05:09Z"))) == "11/02/2026 08:05:09"


def test_span_grows_with_the_range() -> None:
    t0 = dt.datetime(2026, 1, 1, tzinfo=dt.timezone.utc)
    assert span_for([t0, t0 + dt.timedelta(minutes=30)]) == 60
    assert span_for([t0, t0 + dt.timedelta(hours=2)]) == 300
    assert span_for([t0, t0 + dt.timedelta(days=2)]) == 3600
    assert span_for([]) == 60


def test_timechart_fills_empty_buckets_and_splits_series() -> None:
    events = [
        ev("2026-11-02T08:00:10Z", r="A"),
        ev("2026-11-02T08:00:50Z", r="B"),
        ev("2026-11-02T08:02:00Z", r="A"),
        ev("2026-11-02T08:02:30Z"),
    ]
    result = timechart(events, lambda e: e.get("r"))
    assert [f["name"] for f in result["fields"]] == ["_time", "A", "B", "NULL"]
    assert result["columns"] == [
        ["2026-11-02T08:00:00.000+00:00", "2026-11-02T08:01:00.000+00:00", "2026-11-02T08:02:00.000+00:00"],
        [1, 0, 1],
        [1, 0, 0],
        [0, 0, 1],
    ]


def test_timechart_limit_folds_the_rest_into_other() -> None:
    events = [ev("2026-11-02T08:00:00Z", r=name) for name in ("a", "a", "a", "b", "b", "c")]
    result = timechart(events, lambda e: e["r"], limit=1)
    assert [f["name"] for f in result["fields"]] == ["_time", "a", "OTHER"]
    assert result["columns"][1:] == [[3], [3]]
    without_other = timechart(events, lambda e: e["r"], limit=1, useother=False)
    assert [f["name"] for f in without_other["fields"]] == ["_time", "a"]


def test_count_by_expands_lists_sorts_and_cuts() -> None:
    events = [{"t": ["x", "y"]}, {"t": ["x"]}, {"t": None}, {"t": "z"}]
    assert count_by(events, lambda e: e["t"], head=2, label="target") == snapshot(
        ["target", "count"], [["x", 2], ["y", 1]]
    )
