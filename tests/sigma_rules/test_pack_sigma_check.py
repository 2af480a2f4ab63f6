"""The pack passes pySigma's validators: sigma-cli's own check, and the same validators in-process."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

from sigma.collection import SigmaCollection
from sigma.plugins import InstalledSigmaPlugins
from sigma.validation import SigmaValidator
from sigma.validators.core.tags import InvalidNamespaceTagIssue
from sigma_pack import RULES_DIR, rule_files

# attacktag / d3_fendtag need MITRE data from the internet; namespace_tag knows only SigmaHQ's closed
# list of tag namespaces (attack, car, cve, d3fend, detection, stp, tlp) and so refuses the pack's
# lifecycle tag okta_ir.stage.<stage>, which the toolchain reads (detections.rules.stage).
EXCLUDED = ("attacktag", "d3_fendtag", "namespace_tag")


def _collection() -> SigmaCollection:
    return SigmaCollection.load_ruleset([str(p) for p in rule_files()], collect_errors=True)


def test_sigma_cli_check_is_clean() -> None:
    sigma = Path(sys.executable).with_name("sigma")
    args = [str(sigma), "check", "--fail-on-error", "--fail-on-issues"]
    for name in EXCLUDED:
        args += ["-x", name]
    done = subprocess.run([*args, str(RULES_DIR)], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "No validation issues found." in done.stdout
    assert "Found 0 errors, 0 condition errors and 0 issues." in done.stdout


def test_every_validator_but_the_excluded_passes_with_no_parse_errors() -> None:
    collection = _collection()
    assert [r for r in collection.rules if r.errors] == []
    validators: dict[str, Any] = InstalledSigmaPlugins.autodiscover().validators  # name -> validator class
    assert set(EXCLUDED) <= set(validators)
    validator = SigmaValidator([v for name, v in validators.items() if name not in EXCLUDED])
    assert list(validator.validate_rules(iter(collection.rules))) == []  # type: ignore[arg-type]


def test_the_only_namespace_issues_are_the_okta_ir_stage_tags() -> None:
    collection = _collection()
    validators: dict[str, Any] = InstalledSigmaPlugins.autodiscover().validators
    validator = SigmaValidator([validators["namespace_tag"]])
    issues = list(validator.validate_rules(iter(collection.rules)))  # type: ignore[arg-type]
    assert issues and all(isinstance(i, InvalidNamespaceTagIssue) for i in issues)
    assert {i.tag.namespace for i in issues} == {"okta_ir"}  # type: ignore[attr-defined]
