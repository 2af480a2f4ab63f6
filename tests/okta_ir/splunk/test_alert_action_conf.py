"""alert_actions.conf and its .spec as UCC generates them from globalConfig's ``alerts``.

The generator is UCC's own (splunk-add-on-ucc-framework 6.6.0), run on the committed globalConfig.json.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from okta_ir.okta.containment import target_kind
from okta_ir.splunk.alert_action import ALERT_ACTIONS, DEFAULT_FIELDS, response_params

ucc_config = pytest.importorskip("splunk_add_on_ucc_framework.global_config")
ucc_alerts = pytest.importorskip(
    "splunk_add_on_ucc_framework.generators.conf_files.create_alert_actions_conf"
)

ROOT = Path(__file__).resolve().parents[3]


def stanzas(text: str) -> dict[str, dict[str, str]]:
    out: dict[str, dict[str, str]] = {}
    current: dict[str, str] = {}
    for line in text.splitlines():
        if line.startswith("[") and line.endswith("]"):
            current = out.setdefault(line[1:-1], {})
        elif " = " in line and not line.startswith("#"):
            key, _, value = line.partition(" = ")
            current[key] = value
        elif line.endswith(" ="):
            current[line[:-2]] = ""
    return out


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    content = json.loads((ROOT / "addon" / "globalConfig.json").read_text(encoding="utf-8"))
    out = tmp_path_factory.mktemp("ucc")
    (out / "TA-okta-ir" / "appserver" / "static").mkdir(parents=True)
    generator = ucc_alerts.AlertActionsConf(
        ucc_config.GlobalConfig(content, False), str(ROOT / "addon" / "package"), str(out)
    )
    return {Path(f["file_path"]).name: f["content"] for f in generator.generate() or []}


def test_every_action_gets_a_stanza_with_its_params(generated: dict[str, str]) -> None:
    conf = stanzas(generated["alert_actions.conf"])
    assert list(conf) == list(ALERT_ACTIONS)
    for name, action in ALERT_ACTIONS.items():
        stanza = conf[name]
        field_param, default = DEFAULT_FIELDS[target_kind(action)]
        assert stanza[f"param.{field_param}"] == default
        assert (stanza["param.account"], stanza["param.max_targets"], stanza["param.dry_run"]) == (
            "",
            "5",
            "0",
        )
        assert (stanza["is_custom"], stanza["payload_format"], stanza["python.version"]) == (
            "1",
            "json",
            "python3",
        )
        cam = json.loads(stanza["param._cam"])
        assert cam["supports_adhoc"] is True and cam["category"] == ["Identity Containment"]
        assert cam["subject"] == (["network.src"] if action.endswith("_ip") else ["user"])
        assert "sid%3D%22%24sid%24%22" in cam["drilldown_uri"]
    assert conf["okta_ir_quarantine_user"]["param.quarantine_group"] == ""
    assert conf["okta_ir_deactivate_user"]["param.allow_deactivate"] == "0"
    assert conf["okta_ir_block_ip"]["param.blocklist_zone"] == ""


def test_spec_documents_every_param(generated: dict[str, str]) -> None:
    spec = generated["alert_actions.conf.spec"]
    assert spec.count("param._cam = <json> Adaptive Response parameters.") == len(ALERT_ACTIONS)
    assert (
        "param.user_field = <string> User field. It's a required parameter. It's default value is user."
        in spec
    )
    assert "param.dry_run = <bool> Dry run." in spec


def test_response_params_name_real_params(generated: dict[str, str]) -> None:
    conf = stanzas(generated["alert_actions.conf"])
    assert response_params("okta_ir_block_ip") == {
        "account": "",
        "ip_field": "src_ip",
        "max_targets": "5",
        "dry_run": "1",
    }
    assert response_params("okta_ir_suspend_user") == {
        "account": "",
        "user_field": "user",
        "max_targets": "5",
        "dry_run": "1",
    }
    for name in ALERT_ACTIONS:
        assert {f"param.{k}" for k in response_params(name)} <= set(conf[name])
    with pytest.raises(KeyError, match="unknown alert action 'okta_ir_nope'"):
        response_params("okta_ir_nope")


def test_ucc_writes_no_helper_stubs_and_our_entries_replace_its_scripts(tmp_path: Path) -> None:
    builder = pytest.importorskip("splunk_add_on_ucc_framework.commands.modular_alert_builder.builder")
    content = json.loads((ROOT / "addon" / "globalConfig.json").read_text(encoding="utf-8"))
    for sub in ("bin", "appserver/static"):
        (tmp_path / "TA-okta-ir" / sub).mkdir(parents=True)
    builder.generate_alerts(ucc_config.GlobalConfig(content, False), "TA-okta-ir", str(tmp_path))
    written = sorted(str(p.relative_to(tmp_path / "TA-okta-ir")) for p in tmp_path.rglob("*.py"))
    assert written == sorted(f"bin/{name}.py" for name in ALERT_ACTIONS)
    for name in ALERT_ACTIONS:  # `ucc-gen build` copies addon/package over these afterwards
        assert (ROOT / "addon" / "package" / "bin" / f"{name}.py").is_file()
