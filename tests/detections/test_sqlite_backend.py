from __future__ import annotations

import pytest
from sigma.collection import SigmaCollection

from detections.errors import RuleConversionError
from detections.sqlite_backend import OktaSqliteBackend


def _convert(detection: str):
    return OktaSqliteBackend().convert(
        SigmaCollection.from_yaml(
            "title: t\nlogsource: {product: okta, service: okta}\ndetection:\n" + detection
        )
    )


def test_array_member_conditions_become_exists_over_json_each():
    [sql] = _convert(
        "  sel:\n    target.type|exists: true\n    target.alternateId|re: '^adm'\n  condition: sel\n"
    )
    assert sql == (
        "SELECT * FROM logs WHERE EXISTS (SELECT 1 FROM json_each(`target`) WHERE "
        "(json_extract(value, '$.type') COLLATE NOCASE) IS NOT NULL) AND "
        "EXISTS (SELECT 1 FROM json_each(`target`) WHERE "
        "(json_extract(value, '$.alternateId') COLLATE NOCASE) REGEXP '^adm')"
    )


def test_group_by_an_array_member_is_refused():
    text = """
title: base
name: base
logsource: {product: okta, service: okta}
detection: {sel: {eventType: x}, condition: sel}
---
title: corr
correlation: {type: event_count, rules: [base], group-by: [target.displayName], timespan: 5m,
              condition: {gte: 2}}
"""
    with pytest.raises(RuleConversionError, match=r"group-by on array member 'target\.displayName'"):
        OktaSqliteBackend().convert(SigmaCollection.from_yaml(text))
