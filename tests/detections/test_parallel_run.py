from __future__ import annotations

import random
from pathlib import Path

import pytest

from detections.engine import HuntEngine
from detections.errors import RuleConversionError
from detections.rules import load_rules
from tests.detections.okta_events import okta_event

PACK = Path(__file__).resolve().parents[2] / "sigma-rules"


def _events(count: int) -> list[dict[str, object]]:
    rnd = random.Random(4)
    kinds = ["user.session.start", "user.authentication.sso", "system.push.send_factor_verify_push",
             "user.account.lock", "user.mfa.okta_verify.deny_push"]
    return [
        okta_event(
            f"e{i}",
            f"2026-03-01T10:{rnd.randrange(0, 30):02d}:{rnd.randrange(0, 60, 5):02d}Z",
            rnd.choice(kinds),
            result=rnd.choice(["FAILURE", "SUCCESS"]),
            ip=rnd.choice(["1.1.1.1", "2.2.2.2"]),
            user=rnd.choice(["a@x", "b@x", "c@x"]),
            session=rnd.choice(["s1", "s2"]),
            country=rnd.choice(["France", "Brazil", "Japan"]),
            targets=[{"displayName": f"app{rnd.randrange(8)}"}, {"displayName": "a@x"}],
        )
        for i in range(1500)
    ]


def test_rules_in_worker_processes_give_the_serial_findings_in_order(tmp_path: Path):
    rules = load_rules(PACK)
    engine = HuntEngine(tmp_path / "h.db", rules=rules)
    engine.load_events(_events(1500))
    serial = [f.to_dict() for f in engine.run(rules, workers=1)]
    parallel = [f.to_dict() for f in engine.run(rules, workers=2)]
    assert parallel == serial
    assert len({f["title"] for f in serial}) >= 8  # correlations of every kind found something
    # the engine's own connection still works after the workers are gone
    assert engine.event_count() == 1500


def test_a_rule_failing_in_a_worker_raises_in_the_caller(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    rules = load_rules(PACK)
    engine = HuntEngine(tmp_path / "h.db", rules=rules)
    engine.load_events(_events(50))
    ordinary = HuntEngine.run_task

    def failing(self: HuntEngine, rule: object, query: str | None) -> list[object]:
        if getattr(rule, "title", "") == "Okta MFA Push Fatigue":
            raise RuleConversionError("rule 'Okta MFA Push Fatigue' failed on SQLite: boom")
        return ordinary(self, rule, query)

    monkeypatch.setattr(HuntEngine, "run_task", failing)  # inherited by the forked workers
    with pytest.raises(RuleConversionError, match="Push Fatigue' failed on SQLite: boom"):
        engine.run(rules, workers=2)
