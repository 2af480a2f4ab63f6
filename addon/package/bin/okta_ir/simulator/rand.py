"""Counter-based deterministic randomness: any value is a pure function of (seed, stream, index).

This is what lets the simulator produce event N on demand without generating 0..N-1 first.
"""

from __future__ import annotations

import base64
from collections.abc import Sequence
from typing import TypeVar

__all__ = [
    "UUID_STREAM_OFFSET",
    "hash64",
    "okta_id",
    "pick",
    "unit",
    "uuid_from",
    "uuid_like",
]

_MASK = (1 << 64) - 1
_T = TypeVar("_T")
UUID_STREAM_OFFSET = 0x5151
_ALNUM = str.maketrans("+/=", "xkz")


def hash64(seed: int, stream: int, index: int) -> int:
    """A well-mixed 64-bit value for (seed, stream, index) (splitmix64 finaliser)."""
    z = (seed * 0x9E3779B97F4A7C15 + stream * 0xBF58476D1CE4E5B9 + index * 0x94D049BB133111EB) & _MASK
    z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & _MASK
    z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & _MASK
    return z ^ (z >> 31)


def unit(seed: int, stream: int, index: int) -> float:
    """A float in [0, 1) for (seed, stream, index)."""
    return (hash64(seed, stream, index) >> 11) / float(1 << 53)


def pick(items: Sequence[_T], seed: int, stream: int, index: int) -> _T:
    """One element of ``items`` chosen by (seed, stream, index)."""
    return items[hash64(seed, stream, index) % len(items)]


def uuid_like(seed: int, stream: int, index: int) -> str:
    """A version-1-looking UUID string, as Okta uses for System Log events."""
    return uuid_from(hash64(seed, stream, index), hash64(seed, stream + UUID_STREAM_OFFSET, index))


def uuid_from(a: int, b: int) -> str:
    """The UUID string made of two 64-bit hashes."""
    h = f"{a:016x}{b:016x}"
    return f"{h[0:8]}-{h[8:12]}-11f0-{'89ab'[b & 3]}{h[17:20]}-{h[20:32]}"


def okta_id(prefix: str, seed: int, stream: int, index: int, length: int = 20) -> str:
    """An Okta-style object id (``00u...``, ``00g...``, ``0oa...``) of ``length`` alphanumeric characters."""
    need = length - len(prefix)
    raw = b"".join(hash64(seed, stream + k, index).to_bytes(8, "big") for k in range(need // 10 + 1))
    return prefix + base64.b64encode(raw).decode("ascii").translate(_ALNUM)[:need]
