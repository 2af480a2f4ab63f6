from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from sigma.backends.splunk import SplunkBackend
from sigma.collection import SigmaCollection
from sigma.exceptions import SigmaTransformationError

from detections.errors import UnknownFieldError
from detections.pipeline import okta_ir_pipeline, okta_ir_sqlite_pipeline
from detections.sqlite_backend import OktaSqliteBackend

RULE = """
title: Proxy admin
logsource: {product: okta, service: okta}
detection:
  sel:
    eventtype: user.session.access_admin_app
    securityContext.isProxy: true
    request.ipChain.ip|startswith: '203.0.113.'
  condition: sel
"""


def test_splunk_pipeline_maps_okta_paths_to_splunk_json_names():
    [query] = SplunkBackend(okta_ir_pipeline()).convert(SigmaCollection.from_yaml(RULE))
    assert query == (
        'eventType="user.session.access_admin_app" securityContext.isProxy=true '
        '"request.ipChain{}.ip"="203.0.113.*"'
    )


def test_sqlite_pipeline_maps_to_canonical_columns():
    [query] = OktaSqliteBackend().convert(SigmaCollection.from_yaml(RULE))
    assert query.startswith(
        "SELECT * FROM logs WHERE eventType LIKE 'user.session.access\\_admin\\_app' ESCAPE '\\' AND "
        "(`securityContext.isProxy`='true' OR `securityContext.isProxy`=1) AND "
    )
    assert "EXISTS (SELECT 1 FROM json_each(`request.ipChain`)" in query
    assert okta_ir_sqlite_pipeline().name == "okta-ir: Okta System Log to SQLite"


def test_unknown_field_and_foreign_logsource_fail_loudly():
    bad = SigmaCollection.from_yaml(RULE.replace("securityContext.isProxy", "securityContext.isProxie"))
    with pytest.raises(
        UnknownFieldError, match=r"^rule 'Proxy admin': unknown Okta field 'securityContext\.isProxie'"
    ):
        SplunkBackend(okta_ir_pipeline()).convert(bad)
    foreign = SigmaCollection.from_yaml(RULE.replace("service: okta", "service: sysmon"))
    with pytest.raises(SigmaTransformationError, match="not for the Okta System Log"):
        SplunkBackend(okta_ir_pipeline()).convert(foreign)


def test_sigma_cli_finds_the_okta_ir_pipeline(tmp_path: Path):
    rule = tmp_path / "rule.yml"
    rule.write_text(RULE)
    sigma = Path(sys.executable).with_name("sigma")
    proc = subprocess.run(
        [str(sigma), "convert", "-t", "splunk", "-p", "okta_ir", str(rule)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip().endswith('"request.ipChain{}.ip"="203.0.113.*"')
