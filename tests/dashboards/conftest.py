"""Fixtures of the dashboard tests: the story of tests/dashboards/story.py."""

from __future__ import annotations

from typing import Any

import pytest

from tests.dashboards.story import audit_records, story


@pytest.fixture(scope="session")
def story_events() -> list[dict[str, Any]]:
    return story()


@pytest.fixture(scope="session")
def story_audit() -> list[dict[str, Any]]:
    return audit_records()
