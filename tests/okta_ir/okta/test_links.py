"""Link header parsing: two header lines or one comma-joined line, any order, commas inside URLs."""

from __future__ import annotations

import httpx
from okta_http import cassette_response, load_cassette
from okta_ir.okta.links import parse_links, split_link_values

SELF = "https://acme.okta.com/api/v1/logs?since=2025-01-01T00:00:00Z&limit=2"
NEXT = "https://acme.okta.com/api/v1/logs?after=1757607710000_1&limit=2"


def test_two_header_lines_in_either_order() -> None:
    for lines in (
        [f'<{SELF}>; rel="self"', f'<{NEXT}>; rel="next"'],
        [f'<{NEXT}>; rel="next"', f'<{SELF}>; rel="self"'],
    ):
        headers = httpx.Headers([("link", line) for line in lines])
        assert parse_links(headers.get_list("link")) == {"self": SELF, "next": NEXT}


def test_one_comma_joined_line_in_either_order() -> None:
    assert parse_links([f'<{SELF}>; rel="self", <{NEXT}>; rel="next"']) == {"self": SELF, "next": NEXT}
    assert parse_links([f'<{NEXT}>; rel="next",<{SELF}>; rel="self"']) == {"self": SELF, "next": NEXT}


def test_commas_and_semicolons_inside_urls_and_quotes_do_not_split() -> None:
    odd = "https://acme.okta.com/api/v1/logs?filter=a,b;c&after=x"
    values = split_link_values([f'<{odd}>; title="x, y; z"; rel="next", <{SELF}>; rel=self'])
    assert values == [f'<{odd}>; title="x, y; z"; rel="next"', f"<{SELF}>; rel=self"]
    assert parse_links([values[0], values[1]]) == {"next": odd, "self": SELF}


def test_relation_tokens_case_and_multiple_relations() -> None:
    assert parse_links([f'<{NEXT}>; REL="Next Last"']) == {"next": NEXT, "last": NEXT}


def test_first_link_of_a_relation_wins_and_malformed_values_are_skipped() -> None:
    other = "https://acme.okta.com/api/v1/logs?after=second"
    lines = [
        "garbage; rel=next",
        f'<{NEXT}>; rel="next"',
        f'<{other}>; rel="next"',
        "",
        "<no-close; rel=self",
    ]
    assert parse_links(lines) == {"next": NEXT}


def test_no_link_header() -> None:
    assert parse_links([]) == {}


def test_recorded_pagination_link_header_replayed() -> None:
    """TestUsersResource.test_user_pagination: the recorded next link, folded across YAML lines."""
    pages = [
        i
        for i in load_cassette("TestUsersResource.test_user_pagination.yaml")
        if "limit=1" in i["request"]["uri"]
    ]
    assert len(pages) == 2
    response = cassette_response(pages[0])
    assert parse_links(response.headers.get_list("link")) == {
        "next": "https://test.okta.com/api/v1/users?after=000usfdsyqnIjEmHNm4x6&limit=1"
    }
