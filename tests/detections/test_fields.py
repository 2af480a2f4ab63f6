from __future__ import annotations

import pytest

from detections.errors import UnknownFieldError
from detections.fields import (
    FIELDS,
    eval_lines,
    field_by_okta_path,
    field_by_splunk_name,
    fieldalias_lines,
    normalize_path,
)


def test_scalar_field_names_are_the_okta_path_everywhere():
    spec = field_by_okta_path("client.ipAddress")
    assert (spec.splunk_field, spec.sqlite_column, spec.is_array, spec.cim) == (
        "client.ipAddress", "client.ipAddress", False, ("src", "src_ip"))


def test_array_members_get_splunk_braces_and_a_root():
    spec = field_by_okta_path("target.displayName")
    assert (spec.splunk_field, spec.array_root, spec.element_path, spec.is_array) == (
        "target{}.displayName", "target", "displayName", True)
    deep = field_by_okta_path("request.ipChain.geographicalContext.country")
    assert deep.splunk_field == "request.ipChain{}.geographicalContext.country"
    assert deep.element_path == "geographicalContext.country"


def test_lookup_forgives_case_and_array_markers():
    assert field_by_okta_path("eventtype").okta_path == "eventType"
    assert field_by_okta_path("target[].displayName").okta_path == "target.displayName"
    assert field_by_okta_path("target{}.displayName").okta_path == "target.displayName"
    assert normalize_path(" Target{}.ID ") == "target.id"
    assert field_by_splunk_name("request.ipChain{}.ip").okta_path == "request.ipChain.ip"


def test_unknown_field_is_a_typed_error_naming_field_and_rule():
    with pytest.raises(UnknownFieldError) as info:
        field_by_okta_path("client.ipAdress", rule="My rule")
    assert info.value.field == "client.ipAdress"
    assert str(info.value).startswith("rule 'My rule': unknown Okta field 'client.ipAdress'")
    assert isinstance(info.value, KeyError)


def test_the_map_has_no_duplicates_and_covers_logevent_fields():
    keys = [normalize_path(s.okta_path) for s in FIELDS]
    assert len(keys) == len(set(keys))
    for path in ("debugContext.debugData.privilegeGranted", "authenticationContext.externalSessionId",
                 "securityContext.isProxy", "client.geographicalContext.country",
                 "request.ipChain.geographicalContext.country", "target.id", "outcome.reason",
                 "client.userAgent.rawUserAgent", "actor.alternateId", "eventType"):
        assert field_by_okta_path(path).okta_path == path
    assert field_by_okta_path("securityContext.isProxy").kind == "bool"


def test_props_lines_quote_dotted_fields():
    lines = fieldalias_lines()
    assert 'FIELDALIAS-okta_ir_src = "client.ipAddress" AS src' in lines
    assert 'FIELDALIAS-okta_ir_user = "actor.alternateId" AS user' in lines
    assert 'FIELDALIAS-okta_ir_signature = eventType AS signature' in lines
    assert 'FIELDALIAS-okta_ir_dest = "target{}.alternateId" AS dest' in lines
    assert len(lines) == len({line.split(" = ")[0] for line in lines})
    assert 'EVAL-app = "okta"' in eval_lines()
