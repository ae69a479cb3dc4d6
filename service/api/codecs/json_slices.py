"""A large JSON array read in slices: simdjson's document never holds more than one slice.

simdjson's document of a whole body costs 24 bytes a number (16 of tape, 8 of structural
index) besides a padded copy of the body: seven times a body of the densest numbers ("1.5,"),
which made such a request cost nine times its body. Here an array member of the body is read
in slices of about ``SLICE`` bytes, cut at commas; each slice is closed with the brackets open
at its ends, parsed by one reused simdjson parser, and its numbers copied into one buffer. The
request then costs its body, the float64 buffer and a slice.

What simdjson's document would have proved at once is proved in two cheaper passes. The first
keeps only the brackets and commas of the array (``bytes.translate``, at memory speed): that
skeleton is compared with the one a rectangular array of the shape its first elements imply
must have, a regular pattern generated on the fly. The second pass parses the slices, which
proves every number and its place (a number beside a bracket without a comma is a syntax error
in its slice), and counts the numbers. When either pass disagrees, the skeleton, with each
number marked, is walked in the order in which ``load_json_arrays`` walks a document, to find
its first fault; what the walk cannot name is left to the whole-document path. A list with
no list in it (one '[' and one ']', found by memchr) has no structure to prove: its slices are
parsed without the first pass.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Final

import numpy as np
import simdjson

from service.api.codecs.arrays import ArrayLimits
from service.numerics import Array, InvalidInput

__all__ = ["SLICE", "NestedList", "Unproved", "array_spans", "sliced_array"]

# Small enough for simdjson's work to stay in cache (4 MB of nested numbers took 8.6 ms in
# slices of 64 KiB, 13 ms in slices of 1 MiB), large enough that a slice's overhead is small.
SLICE: Final = 1 << 16
_NUMBER: Final = b"0123456789.eE+-"
_WHITESPACE: Final = b" \t\n\r"
_SKELETON_OF: Final = _NUMBER + _WHITESPACE  # what translate deletes to leave the skeleton
_MARK: Final = bytes.maketrans(_NUMBER, b"0" * len(_NUMBER))  # every number a run of "0"
_TILE: Final = 1 << 16  # a repeated unit of the expected skeleton up to this length is tiled
_TOKEN: Final = re.compile(rb'"(?:[^"\\]|\\.)*+"|[\[\]{}:]', re.DOTALL)
# The members besides the arrays are options of a few values: past this many brackets, strings
# and colons outside the arrays, walking them token by token would cost more than it spares.
_MOST_TOKENS: Final = 10_000
_OPENING: Final = re.compile(rb"\[*")


class Unproved(Exception):
    """The slices prove neither the array nor its first fault: read the whole document."""


@dataclass(frozen=True, slots=True)
class NestedList:
    """A list where a number belongs, whose numbers still fill the shape: whole-document
    decoding finds this only once every member is read, so it is raised after them."""

    error: InvalidInput


def array_spans(body: bytes, arrays: Sequence[str]) -> list[tuple[str, int, int]]:
    """(key, start, end) of each member of the top-level object named in ``arrays`` whose value
    is a list: the bytes ``body[start:end]`` hold the list, from its '[' to its ']'.

    Strings are skipped whole (a bracket in a string is no bracket); an array of numbers is
    crossed at memory speed. Only a valid body is read right; any other is found out when the
    parts are parsed.
    """
    spans: list[tuple[str, int, int]] = []
    depth, key, after_colon = 0, None, False
    position, tokens = 0, 0
    while (token := _TOKEN.search(body, position)) is not None:
        text, position = token.group(), token.end()
        tokens += 1
        if tokens > _MOST_TOKENS:
            raise Unproved
        if text == b"[" and depth == 1 and after_colon and key is not None and key in arrays:
            end = _array_end(body, token.start())
            spans.append((key, token.start(), end))
            position, after_colon = end, False
            continue
        if text in (b"[", b"{"):
            depth += 1
        elif text in (b"]", b"}"):
            depth -= 1
        after_colon = text == b":"
        if depth == 1 and text.startswith(b'"'):
            key = text[1:-1].decode("utf-8", "replace") if b"\\" not in text else None
    return spans


def _array_end(body: bytes, start: int) -> int:
    """Past the last ']' before the first '"' or '}' from ``start``: in a valid body, the next
    key or the end of the object follows an array of numbers. (Found by memchr; an array that
    holds a string or an object ends too early here, and is found out.)"""
    quote = body.find(b'"', start)
    if quote < 0:
        quote = len(body)
    brace = body.find(b"}", start, quote)
    return body.rfind(b"]", start, quote if brace < 0 else brace) + 1


def sliced_array(
    body: bytes,
    start: int,
    end: int,
    *,
    loc: list[str | int],
    limits: ArrayLimits,
) -> Array | InvalidInput | NestedList:
    """The rectangular array of numbers ``body[start:end]`` as float64, or what is wrong with it
    as ``load_json_arrays`` would say it. Unproved if the slices cannot tell. Every slice is
    parsed even when a fault is known: a body with a syntax error is malformed, whatever else."""
    if body.find(b"[", start + 1, end) < 0 and body.find(b"]", start, end - 1) < 0:
        return _flat(body, start, end, loc=loc, limits=limits)
    cuts, skeleton = _first_pass(body, start, end)
    shape = _rectangular_shape(skeleton, limits.max_dims + 1)
    proved = shape is not None and _matches(skeleton, shape)
    del skeleton
    refused: InvalidInput | None = None
    numbers = np.empty(0)
    if shape is not None and proved:
        try:
            limits.check_shape(shape, loc)
        except InvalidInput as error:
            refused = error
        else:
            numbers = np.empty(math.prod(shape), dtype=np.float64)
    filled = 0
    parser = simdjson.Parser()
    for begin, stop, opened, open_after in cuts:
        text = b"".join((b"[" * opened, memoryview(body)[begin:stop], b"]" * open_after))
        sliced = _numbers(parser, text)
        if filled + sliced.size <= numbers.size:
            numbers[filled : filled + sliced.size] = sliced
        filled += sliced.size
    if refused is not None:
        return refused
    if shape is not None and proved and filled == numbers.size:
        return numbers.reshape(shape)
    del numbers  # a list empty where the skeleton showed a number, or not rectangular
    return _fault(body, start, end, loc=loc, limits=limits)


def _flat(
    body: bytes, start: int, end: int, *, loc: list[str | int], limits: ArrayLimits
) -> Array | InvalidInput:
    """A list without a list in it (one bracket each side, found by memchr): its only faults
    are its syntax and its size, so it needs no skeleton. Its slices' numbers are kept as
    simdjson's buffers left them, and joined once counted."""
    parts: list[np.ndarray] = []
    count = 0
    parser = simdjson.Parser()
    for begin, stop in _cuts(body, start, end):
        text = b"".join(
            (
                b"" if begin == start else b"[",
                memoryview(body)[begin:stop],
                b"" if stop == end else b"]",
            )
        )
        sliced = _numbers(parser, text)
        count += sliced.size
        if count <= limits.max_elements:
            parts.append(sliced)
        else:
            parts.clear()
    try:
        limits.check_shape([count], loc)
    except InvalidInput as error:
        return error
    return np.concatenate(parts) if len(parts) != 1 else parts[0]


def _numbers(parser: simdjson.Parser, text: bytes) -> np.ndarray:
    """The numbers of a slice, in order, lists flattened."""
    try:
        document = parser.parse(text)
    except (ValueError, RuntimeError):  # malformed, or a number past simdjson's range:
        raise Unproved from None  # the whole-document path decides
    if not isinstance(document, simdjson.Array):
        raise Unproved
    try:
        return np.frombuffer(document.as_buffer(of_type="d"), dtype=np.float64)
    except TypeError:  # a boolean, null, string or object: named by the whole document
        raise Unproved from None


def _cuts(body: bytes, start: int, end: int) -> Iterator[tuple[int, int]]:
    """Slices of ``body[start:end]`` of about SLICE bytes, each cut before a comma."""
    position = start
    while position < end:
        stop = end
        if position + SLICE < end:
            comma = body.rfind(b",", position, position + SLICE)
            if comma <= position:
                comma = body.find(b",", position + SLICE, end)
            if comma > position:
                stop = comma
        yield position, stop
        position = stop + 1


def _first_pass(
    body: bytes, start: int, end: int
) -> tuple[list[tuple[int, int, int, int]], bytearray]:
    """The slices, each with the lists open at its start and at its end; and the array's
    skeleton, its brackets and commas alone (anything else is kept, to disagree)."""
    cuts: list[tuple[int, int, int, int]] = []
    skeleton = bytearray()
    depth = 0
    for position, stop in _cuts(body, start, end):
        part = body[position:stop].translate(None, _SKELETON_OF)
        after = depth + part.count(b"[") - part.count(b"]")
        if after < 0:
            raise Unproved
        cuts.append((position, stop, depth, after))
        skeleton += part
        if stop < end:
            skeleton += b","
        depth = after
    return cuts, skeleton


def _skeleton_length(shape: Sequence[int]) -> int:
    length = 0
    for size in reversed(shape):
        length = size * (length + 1) + 1
    return length


def _rectangular_shape(skeleton: bytearray, depth_cap: int) -> list[int] | None:
    """The shape of a rectangular array of non-empty lists with this skeleton: its innermost
    first list's length from its commas, each enclosing one's from where it ends (its first
    run of closing brackets as long as its depth below the top). None if no shape fits."""
    depth = _OPENING.match(skeleton).end()  # type: ignore[union-attr]
    first_close = skeleton.find(b"]", depth)
    if not 0 < depth <= depth_cap or first_close < 0:
        return None
    commas = skeleton.count(b",", depth, first_close)
    if commas != first_close - depth:
        return None
    shape = [commas + 1]
    length = commas + 2
    for level in range(depth - 2, -1, -1):
        closing = b"]" * (depth - level)
        outer = skeleton.find(closing, level) + len(closing) - level
        count, rest = divmod(outer - 1, length + 1)
        if rest or count < 1:
            return None
        shape.insert(0, count)
        length = outer
    return shape if length == len(skeleton) else None


def _matches(skeleton: bytearray, shape: Sequence[int]) -> bool:
    if len(skeleton) != _skeleton_length(shape):
        return False
    return all(
        skeleton[offset : offset + SLICE] == _expected(shape, offset, offset + SLICE)
        for offset in range(0, len(skeleton), SLICE)
    )


def _expected(shape: Sequence[int], start: int, stop: int) -> bytes:
    """``[start:stop]`` of the skeleton of a rectangular array of ``shape`` (no empty list)."""
    if not shape:
        return b""
    size, inner = shape[0], shape[1:]
    unit = _skeleton_length(inner) + 1  # a child and the comma after it
    total = size * unit + 1
    stop = min(stop, total)
    if start >= stop:
        return b""
    parts = [b"["] if start == 0 else []
    first, last = max(start, 1) - 1, min(stop, total - 1) - 1  # within the children
    if first < last and unit <= _TILE:
        tile = _expected(inner, 0, unit - 1) + b","
        skip = first // unit
        repeats = (last - 1) // unit - skip + 1
        parts.append((tile * repeats)[first - skip * unit : last - skip * unit])
    elif first < last:
        for child in range(first // unit, (last - 1) // unit + 1):
            base = child * unit
            parts.append(_expected(inner, max(first - base, 0), min(last - base, unit - 1)))
            if first <= base + unit - 1 < last:
                parts.append(b",")
    if stop == total:
        parts.append(b"]")
    return b"".join(parts)


def _fault(
    body: bytes, start: int, end: int, *, loc: list[str | int], limits: ArrayLimits
) -> InvalidInput | NestedList:
    """The first fault of an array the slices did not prove, found as whole-document decoding
    finds it: the shape its first elements imply checked against the limits, then the first
    list (in document order) whose length differs from its siblings', then the first list
    where a number belongs. The array's bytes, each number marked as one "0", are walked list
    by list; runs of numbers are crossed by a regular expression."""
    marked = body[start:end].translate(_MARK, _WHITESPACE)
    while True:  # each pass halves the runs of marks: a number becomes one "0"
        shorter = marked.replace(b"00", b"0")
        if len(shorter) == len(marked):
            break
        marked = shorter
    del shorter
    opening = _OPENING.match(marked).end()  # type: ignore[union-attr]
    depth = min(opening, limits.max_dims + 1)  # the leading shape's length
    lengths: dict[int, int] = {}  # the leading lists' lengths, by depth
    stack: list[list[int]] = []  # [start, elements so far] of each open list
    paths: list[list[str | int]] = []
    first: tuple[int, list[str | int], int] | None = None  # start, path, length of a ragged list
    number_misplaced: int | None = None
    nested: list[str | int] | None = None
    numbers = 0
    position, value = 0, True
    size = len(marked)
    while position < size:
        mark = marked[position]
        if value and mark == 0x5B:  # [
            path = [*paths[-1], stack[-1][1]] if stack else list(loc)
            if stack:
                stack[-1][1] += 1
            if len(stack) >= depth and nested is None:
                nested = path
            stack.append([position, 0])
            paths.append(path)
            position += 1
            value = marked[position : position + 1] != b"]"
        elif value and mark == 0x30 and stack:  # 0
            run = _run_end(marked, position)
            if len(stack) < depth and number_misplaced is None:
                number_misplaced = position
            count = marked.count(b",", position, run) + 1
            stack[-1][1] += count
            numbers += count
            position, value = run, False
        elif not value and mark == 0x2C and stack:  # ,
            position, value = position + 1, True
        elif not value and mark == 0x5D and stack:  # ]
            opened, length = stack.pop()
            path = paths.pop()
            level = len(stack)
            # The first list to close at a depth is the leading one, x[0]...[0]: lists at one
            # depth close in the order they open.
            expected = lengths.setdefault(level, length)
            if level < depth and expected != length and (first is None or opened < first[0]):
                first = (opened, path, expected)
            position += 1
            if not stack:
                break
        else:
            raise Unproved
    if stack or position != size:
        raise Unproved
    shape = [lengths[level] for level in range(depth)]
    try:
        limits.check_shape(shape, loc)
    except InvalidInput as error:
        return error
    if number_misplaced is not None and (first is None or number_misplaced < first[0]):
        raise Unproved  # whole-document decoding names the number's type, which marks lost
    if first is not None:
        opened, path, expected = first
        length = _length_at(marked, opened)
        return InvalidInput(
            path,
            f"has length {length} but its siblings have length {expected} (ragged array)",
        )
    if nested is not None:
        misplaced = InvalidInput(nested, "expected a number, got a list")
        return NestedList(misplaced) if numbers == math.prod(shape) else misplaced
    raise Unproved


def _length_at(marked: bytes, opened: int) -> int:
    """The number of elements of the list whose '[' is at ``opened`` in a marked skeleton."""
    depth, count, position = 0, 0, opened
    while True:
        mark = marked[position]
        if mark == 0x5B:
            depth += 1
            if depth == 2:
                count += 1
        elif mark == 0x5D:
            depth -= 1
            if depth == 0:
                return count
        elif mark == 0x30 and depth == 1:
            run = _run_end(marked, position)
            count += marked.count(b",", position, run) + 1
            position = run
            continue
        position += 1


def _run_end(marked: bytes, position: int) -> int:
    """Past the run of numbers ("0,0,...,0") that starts at ``position``: it ends at its list's
    ']', or before the comma of a list among them. The slices have proved the syntax."""
    close = marked.find(b"]", position)
    inner = marked.find(b"[", position, close)
    return close if inner < 0 else inner - 1
