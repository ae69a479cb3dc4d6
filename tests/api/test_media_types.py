"""Content-Type and Accept read as RFC 9110 has them."""

from __future__ import annotations

import pytest

from service.api.media_types import media_type, preferred, weighed

JSON, NPY, NPZ = "application/json", "application/x-npy", "application/x-npz"


def test_a_media_type_is_its_type_and_subtype_in_lower_case() -> None:
    assert media_type(" Application/JSON ; Charset=UTF-8") == JSON
    assert media_type("") == ""


@pytest.mark.parametrize(
    ("accept", "chosen"),
    [
        ("", JSON),
        ("*/*", JSON),
        (NPY, NPY),
        (f"{NPY};q=0", JSON),
        (f"{NPY};q=0.3, {NPZ};q=0.7", NPZ),
        (f"{NPY}, {NPZ}", NPY),  # a tie: the earlier offer
        ("application/*;q=0.2, */*;q=0.5", JSON),  # the most specific range counts, not the most
        (f"application/*;q=0.9, {JSON};q=0.1", NPY),
        (f"{JSON};q=0, */*;q=0.1", NPY),
        (f"{JSON};q=0, {NPY};q=0, {NPZ};q=0", JSON),  # all refused: disregarded
        (f"text/html, {JSON};q=0", NPY),  # none accepted: the first not refused
        (f"{NPY};Q=0.5, {JSON};q=0.4", NPY),
        (f"{NPY};q=1.5, {JSON};q=0.4", JSON),  # not a qvalue: the range is passed over
        (f"{NPY};q=0.0001, {JSON};q=0.4", JSON),
        ("application, ;q=1, /json", JSON),
    ],
)
def test_the_offer_accept_weighs_highest(accept: str, chosen: str) -> None:
    assert preferred(accept, (JSON, NPY, NPZ)) == chosen


def test_items_keep_their_order_and_lose_their_parameters() -> None:
    assert weighed("zh-CN, zh;q=0.9;x=1 , EN;q=0.80, fr;q=nan, de;q=") == (
        ("zh-cn", 1.0),
        ("zh", 0.9),
        ("en", 0.8),
    )
