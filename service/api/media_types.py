"""Media types as HTTP reads them (RFC 9110): the Content-Type of a body, and the answer's format
by the request's Accept.

A media type's type and subtype are case-insensitive (8.3.1): ``Application/JSON`` is JSON, and
was taken for a binary body, its duplicate keys unchecked. An Accept header weighs each range
by its quality (12.4.2), where ``q=0`` means "not this one" (12.5.1): naming a type was taken
as asking for it, whatever its weight. ``weighed`` reads every such header (Accept,
Accept-Language, Accept-Encoding) the one way.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Sequence

__all__ = ["media_type", "preferred", "weighed"]

_QVALUE = re.compile(r"0(\.[0-9]{0,3})?|1(\.0{0,3})?")

_Range = tuple[str, str, float]  # type, subtype ("*" for any), quality


def media_type(content_type: str) -> str:
    """The type/subtype of a Content-Type value, lowercased, its parameters dropped."""
    return content_type.split(";", 1)[0].strip().lower()


def preferred(accept: str, offers: Sequence[str]) -> str:
    """Of ``offers`` (lowercase type/subtype, the answer's usual format first), the one the
    Accept header weighs highest; a tie goes to the earlier offer.

    Where Accept weighs none of them above 0, the first it does not refuse (q=0) by name or by
    a range; where it refuses them all, the first. A server may disregard an Accept it cannot
    satisfy rather than answer 406 (RFC 9110 12.5.1), and the usual format is what this
    service answered before it read qualities.
    """
    if not accept or accept == "*/*":  # the common cases, first
        return offers[0]
    ranges = _ranges(accept)
    qualities = [_quality(offer, ranges) for offer in offers]
    best = max(qualities, key=lambda quality: quality or 0.0)
    if best:
        return offers[qualities.index(best)]
    return next((o for o, q in zip(offers, qualities, strict=True) if q is None), offers[0])


def _quality(offer: str, ranges: tuple[_Range, ...]) -> float | None:
    """The quality of the most specific range that matches ``offer`` (RFC 9110 12.5.1:
    ``text/csv`` over ``text/*`` over ``*/*``), None where none does."""
    kind, _, subtype = offer.partition("/")
    specificity, quality = -1, None
    for range_kind, range_subtype, range_quality in ranges:
        if range_kind == kind and range_subtype == subtype:
            rank = 2
        elif range_kind == kind and range_subtype == "*":
            rank = 1
        elif range_kind == "*" and range_subtype == "*":
            rank = 0
        else:
            continue
        if rank > specificity:
            specificity, quality = rank, range_quality
    return quality


@functools.lru_cache(maxsize=256)
def _ranges(accept: str) -> tuple[_Range, ...]:
    """The media ranges of an Accept value with their qualities; a part that is not
    type/subtype is passed over."""
    ranges = []
    for name, quality in weighed(accept):
        kind, slash, subtype = name.partition("/")
        if kind and slash and subtype:
            ranges.append((kind, subtype, quality))
    return tuple(ranges)


def weighed(header: str) -> tuple[tuple[str, float], ...]:
    """The items of a header weighed by quality (Accept, Accept-Language, Accept-Encoding; RFC
    9110 12.4.2), in order: each lowercased without its parameters, with its ``q`` (1 where
    absent). An item whose ``q`` is not a qvalue (0 to 1, at most three decimals) is passed
    over."""
    items = []
    for part in header.split(","):
        name, *parameters = part.split(";")
        quality: float | None = 1.0
        for parameter in parameters:
            key, _, value = parameter.partition("=")
            if key.strip().lower() == "q":
                quality = float(value) if _QVALUE.fullmatch(value.strip()) else None
        if name.strip() and quality is not None:
            items.append((name.strip().lower(), quality))
    return tuple(items)
