"""RFC 8288 ``Link`` header parsing: relations from one or many header lines, in any order."""

from __future__ import annotations

from collections.abc import Iterable

__all__ = ["parse_links", "split_link_values"]


def _split_top_level(text: str, sep: str) -> list[str]:
    """Split ``text`` on ``sep`` where it is outside ``<...>`` and outside quoted strings."""
    pieces: list[str] = []
    current: list[str] = []
    in_uri = in_quote = escaped = False
    for ch in text:
        if in_quote:
            if escaped:
                escaped = False
            elif ch == "\\":
                escaped = True
            elif ch == '"':
                in_quote = False
        elif in_uri:
            in_uri = ch != ">"
        elif ch == "<":
            in_uri = True
        elif ch == '"':
            in_quote = True
        elif ch == sep:
            pieces.append("".join(current))
            current = []
            continue
        current.append(ch)
    pieces.append("".join(current))
    return pieces


def split_link_values(header_values: Iterable[str]) -> list[str]:
    """Split Link header lines into single link-values, on commas outside ``<...>`` and quoted strings."""
    values = [piece.strip() for line in header_values for piece in _split_top_level(line, ",")]
    return [value for value in values if value]


def _params(text: str) -> dict[str, str]:
    """Parameters of one link-value (after the ``<uri>``), names lower-cased, quotes removed."""
    params: dict[str, str] = {}
    for piece in _split_top_level(text, ";"):
        name, sep, value = piece.partition("=")
        name = name.strip().lower()
        if not name:
            continue
        value = value.strip()
        if len(value) >= 2 and value[0] == value[-1] == '"':
            value = value[1:-1].replace('\\"', '"')
        params[name] = value if sep else ""
    return params


def parse_links(header_values: Iterable[str]) -> dict[str, str]:
    """Map each relation (``next``, ``self``...) to its URL; the first link of a relation wins.

    ``header_values`` is every ``link`` header line (``response.headers.get_list("link")``); a
    ``rel`` holding several space-separated relations registers the URL under each. Malformed
    values (no ``<uri>``) are skipped.
    """
    links: dict[str, str] = {}
    for value in split_link_values(header_values):
        if not value.startswith("<") or ">" not in value:
            continue
        end = value.index(">")
        url = value[1:end].strip()
        rels = _params(value[end + 1 :]).get("rel", "")
        for rel in rels.lower().split():
            links.setdefault(rel, url)
    return links
