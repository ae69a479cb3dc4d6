"""GET /activations/{name}, /compare and the plots: content, languages, caching and errors."""

from __future__ import annotations

import csv
import io
import struct
from xml.etree import ElementTree

import httpx
import pytest

from service import numerics
from service.numerics.analysis.properties import measure
from service.openapi import schema_bytes
from tests.api.conftest import ClientFactory, problem

pytestmark = pytest.mark.anyio

DETAIL = "/api/v1/activations/{}"
COMPARE = "/api/v1/compare"
SVG_NAMESPACE = "{http://www.w3.org/2000/svg}"


async def test_describes_an_activation_by_alias(client: httpx.AsyncClient) -> None:
    response = await client.get(DETAIL.format("logistic"))
    assert response.status_code == 200
    body = response.json()
    assert body["name"] == "sigmoid" and body["aliases"] == ["logistic"]
    assert body["language"] == "en" and "probability" in body["description"]
    assert body["properties"]["range"] == {
        "low": 0.0,
        "high": 1.0,
        "low_closed": False,
        "high_closed": False,
        "notation": "(0, 1)",
    }
    assert body["properties"]["continuity"] == "C^∞"
    assert body["initialisation"]["gain"] == 1.0
    assert any(r"\sigma(-x)" in identity for identity in body["identities"])
    assert body["references"][0]["year"] == 1986
    assert response.headers["content-language"] == "en"


async def test_parameters_from_the_query_change_the_properties(client: httpx.AsyncClient) -> None:
    default = await client.get(DETAIL.format("elu"))
    steeper = await client.get(DETAIL.format("elu"), params={"alpha": "2"})
    assert default.json()["properties"]["continuity"] == "C^1"
    assert default.json()["properties"]["range"]["notation"] == "(-1, ∞)"
    assert steeper.json()["params"] == {"alpha": 2.0}
    assert steeper.json()["properties"]["continuity"] == "C^0"
    assert steeper.json()["properties"]["range"]["notation"] == "(-2, ∞)"
    assert steeper.headers["etag"] != default.headers["etag"]
    gain = await client.get(DETAIL.format("leaky_relu"), params={"negative_slope": "1"})
    assert gain.json()["initialisation"]["gain"] == pytest.approx(1.0)


async def test_a_slope_steep_out_to_the_last_float_has_no_saturation(
    client: httpx.AsyncClient,
) -> None:
    """sin at w0 = 1e-300: its slope w0 cos(w0 x) still swings past 1% of its largest at the
    last floats (the phase is only 1.8e8 there), so it never falls under it for good (the
    search had run off the grid's end: a 500, found by a sweep of every parameter's bounds)."""
    response = await client.get(DETAIL.format("sin"), params={"w0": "1e-300"})
    assert response.status_code == 200, response.text
    properties = response.json()["properties"]
    assert properties["saturates_below"] is None and properties["saturates_above"] is None


@pytest.mark.parametrize(
    ("query", "header", "language"),
    [
        ({}, None, "en"),
        ({"lang": "zh"}, None, "zh"),
        ({}, "zh-CN,zh;q=0.9,en;q=0.8", "zh"),
        ({}, "fr-FR, en;q=0.5, zh;q=0.4", "en"),
        ({}, "fr", "en"),
        ({"lang": "en"}, "zh", "en"),
        ({}, "ZH-Hans", "zh"),
        ({}, "zh;q=2, en;q=0.5", "en"),  # not a qvalue: passed over, as in Accept
        ({}, "zh;q=0, *", "en"),
    ],
)
async def test_text_follows_lang_or_accept_language(
    client: httpx.AsyncClient, query: dict[str, str], header: str | None, language: str
) -> None:
    headers = {"accept-language": header} if header else {}
    response = await client.get(DETAIL.format("relu"), params=query, headers=headers)
    body = response.json()
    assert body["language"] == language == response.headers["content-language"]
    assert ("Dead ReLU" in body["cons"][1]) == (language == "zh")
    assert "Accept-Language" in response.headers["vary"]


async def test_default_metadata_is_cached_with_a_strong_etag(client: httpx.AsyncClient) -> None:
    first = await client.get(DETAIL.format("tanh"))
    tag = first.headers["etag"]
    assert tag.startswith('"') and not tag.startswith("W/")
    assert "max-age=" in first.headers["cache-control"]
    assert (await client.get(DETAIL.format("tanh"))).headers["etag"] == tag
    for if_none_match in (tag, f'"other", W/{tag}', "*"):
        again = await client.get(DETAIL.format("tanh"), headers={"if-none-match": if_none_match})
        assert again.status_code == 304 and again.content == b""
        assert again.headers["etag"] == tag
    stale = await client.get(DETAIL.format("tanh"), headers={"if-none-match": '"other"'})
    assert stale.status_code == 200 and stale.content == first.content


@pytest.mark.parametrize(
    ("query", "words"),
    [
        ({"alhpa": "2"}, "is not a parameter of elu"),
        ({"alpha": "steep"}, "must be a number"),
        ({"alpha": "1e9"}, "<= 1000000.0"),
    ],
)
async def test_bad_parameters_are_named(
    client: httpx.AsyncClient, query: dict[str, str], words: str
) -> None:
    body = problem(await client.get(DETAIL.format("elu"), params=query), 422)
    assert words in str(body["detail"])


async def test_unknown_names_and_languages(client: httpx.AsyncClient) -> None:
    body = problem(await client.get(DETAIL.format("tahn")), 404)
    assert "tanh" in body["suggestions"]  # type: ignore[operator]
    body = problem(await client.get(DETAIL.format("tanh"), params={"lang": "fr"}), 422)
    assert body["errors"][0]["loc"] == ["query", "lang"]  # type: ignore[index]


async def test_compare_as_json_and_csv(client: httpx.AsyncClient) -> None:
    names = "sigmoid,tanh,relu,leaky_relu"
    as_json = await client.get(COMPARE, params={"names": names})
    rows = as_json.json()["activations"]
    assert [row["name"] for row in rows] == names.split(",")
    relu = rows[2]
    assert relu["properties"]["dead_zones"][0]["notation"] == "(-∞, 0]"
    assert relu["gain"] == pytest.approx(2**0.5)

    as_csv = await client.get(COMPARE, params={"names": names}, headers={"accept": "text/csv"})
    assert as_csv.headers["content-type"].startswith("text/csv")
    table = list(csv.DictReader(io.StringIO(as_csv.text)))
    assert [row["name"] for row in table] == names.split(",")
    for row, record in zip(table, rows, strict=True):
        props = record["properties"]
        assert row["range"] == props["range"]["notation"]
        assert float(row["gaussian_mean"]) == props["gaussian_mean"]
        assert row["monotonic"] == (props["monotonic"] or "")
        assert row["zero_centred"] == str(props["zero_centred"]).lower()
    assert as_csv.headers["etag"] != as_json.headers["etag"]
    cached = await client.get(
        COMPARE,
        params={"names": names},
        headers={"accept": "text/csv", "if-none-match": as_csv.headers["etag"]},
    )
    assert cached.status_code == 304


async def test_compare_accepts_repeated_names_and_aliases(client: httpx.AsyncClient) -> None:
    response = await client.get(f"{COMPARE}?names=logistic&names=linear")
    assert [row["name"] for row in response.json()["activations"]] == ["sigmoid", "identity"]


@pytest.mark.parametrize(
    ("names", "kind"),
    [
        ("relu", "names-count"),
        ("relu,,", "names-count"),
        ("relu,tanh,sigmoid,elu", "names-count"),
        ("sigmoid,logistic", "names-repeated"),
    ],
)
async def test_compare_refuses_bad_lists(make_client: ClientFactory, names: str, kind: str) -> None:
    client = make_client(compare_max_names=3)
    body = problem(await client.get(COMPARE, params={"names": names}), 422)
    assert str(body["type"]).endswith(kind)
    assert body["errors"][0]["loc"] == ["query", "names"]  # type: ignore[index]


async def test_compare_suggests_names(client: httpx.AsyncClient) -> None:
    body = problem(await client.get(COMPARE, params={"names": "relu,sigmiod"}), 404)
    assert body["suggestions"][0] == "sigmoid"  # type: ignore[index]


def _svg_groups(svg: bytes) -> set[str]:
    root = ElementTree.fromstring(svg)
    assert root.tag == f"{SVG_NAMESPACE}svg"
    assert root.get("width") and root.get("height")
    return {g.get("id", "") for g in root.iter(f"{SVG_NAMESPACE}g")}


async def test_svg_plots_are_well_formed_and_deterministic(
    client: httpx.AsyncClient, make_client: ClientFactory
) -> None:
    url = DETAIL.format("relu") + "/plot.svg"
    first = await client.get(url, params={"x_min": "-3", "x_max": "2"})
    assert first.headers["content-type"] == "image/svg+xml"
    fresh = make_client()  # another app: drawn again, not taken from the first one's memo
    second = await fresh.get(url, params={"x_min": "-3", "x_max": "2"})
    assert first.content == second.content, "the same request draws the same bytes"
    assert b"<dc:date>" not in first.content
    assert (
        await client.get(url, headers={"if-none-match": first.headers["etag"]})
    ).status_code == 200
    again = await client.get(
        url, params={"x_min": "-3", "x_max": "2"}, headers={"if-none-match": first.headers["etag"]}
    )
    assert again.status_code == 304
    assert {"f", "derivative", "kinks"} <= _svg_groups(first.content)
    smooth = await client.get(DETAIL.format("identity") + "/plot.svg")
    assert {"f", "derivative"} <= _svg_groups(smooth.content)
    assert not {"kinks", "jumps"} & _svg_groups(smooth.content)


async def test_png_plots_take_parameters(client: httpx.AsyncClient) -> None:
    url = DETAIL.format("leaky_relu") + "/plot.png"
    response = await client.get(url, params={"negative_slope": "0.2"})
    png = response.content
    assert response.headers["content-type"] == "image/png"
    assert png[:8] == b"\x89PNG\r\n\x1a\n" and png[12:16] == b"IHDR"
    assert struct.unpack(">II", png[16:24]) == (640, 400)
    default = await client.get(url)
    assert default.content != png


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ({"x_min": "2", "x_max": "1"}, "x_max"),
        ({"x_min": "1", "x_max": "1"}, "x_max"),
        ({"x_min": "-1e9"}, "x_min"),
        ({"x_min": "-100.000001"}, "x_min"),
        ({"x_max": "100.5"}, "x_max"),
        ({"x_max": "nan"}, "x_max"),
        ({"x_min": "left"}, "x_min"),
    ],
)
async def test_bad_plot_ranges_are_named(
    make_client: ClientFactory, query: dict[str, str], field: str
) -> None:
    client = make_client(plot_max_abs_x=100.0)
    body = problem(await client.get(DETAIL.format("tanh") + "/plot.svg", params=query), 422)
    assert body["errors"][0]["loc"] == ["query", field]  # type: ignore[index]


async def test_plot_parameters_are_validated(client: httpx.AsyncClient) -> None:
    response = await client.get(DETAIL.format("gelu") + "/plot.png", params={"approximate": "erf"})
    assert "one of ['none', 'tanh', 'sigmoid']" in str(problem(response, 422)["detail"])


def test_the_schema_declares_the_operations_and_limits() -> None:
    import orjson

    schema = orjson.loads(schema_bytes())
    limits = schema["info"]["x-limits"]
    assert {"compare_max_names", "plot_max_abs_x", "cache_max_age"} <= set(limits)
    detail = schema["paths"]["/api/v1/activations/{name}"]["get"]
    assert detail["operationId"] == "describe_activation"
    assert {"200", "304", "404", "422"} <= set(detail["responses"])
    assert {p["name"] for p in detail["parameters"]} >= {"name", "lang", "params"}
    compare = schema["paths"]["/api/v1/compare"]["get"]
    assert set(compare["responses"]["200"]["content"]) == {"application/json", "text/csv"}
    for fmt, media in (("svg", "image/svg+xml"), ("png", "image/png")):
        plot = schema["paths"][f"/api/v1/activations/{{name}}/plot.{fmt}"]["get"]
        assert media in plot["responses"]["200"]["content"]
        assert {p["name"] for p in plot["parameters"]} >= {"x_min", "x_max", "params"}
        for parameter in plot["parameters"]:
            if parameter["name"] in ("x_min", "x_max"):
                bounds = parameter["schema"]["minimum"], parameter["schema"]["maximum"]
                assert bounds == (-limits["plot_max_abs_x"], limits["plot_max_abs_x"])
                assert parameter["schema"]["x-limit"] == "plot_max_abs_x"


@pytest.mark.parametrize("name", sorted(numerics.ACTIVATIONS))
async def test_every_activation_is_described(client: httpx.AsyncClient, name: str) -> None:
    body = (await client.get(DETAIL.format(name), params={"lang": "zh"})).json()
    assert body["name"] == name and body["description"] and body["pros"] and body["cons"]
    assert body["declared"]["continuity"] and body["declared"]["cost"]
    assert body["initialisation"]["note"] and body["identities"]
    if numerics.get(name).axiswise:
        assert body["kind"] == "axiswise" and body["properties"] is None
        assert name in body["properties_note"] and body["second_derivative_formula"] is None
    else:
        assert body["kind"] == "elementwise" and body["properties_note"] is None
        properties = body["properties"]
        assert properties["continuity"] == body["declared"]["continuity"]
        assert properties["cost"] == body["declared"]["cost"]
        assert body["second_derivative_formula"].startswith("f''(x)")


async def test_the_entry_s_own_fields_are_described(client: httpx.AsyncClient) -> None:
    body = (await client.get(DETAIL.format("gelu"))).json()
    torch = next(e for e in body["equivalents"] if e["library"] == "torch")
    assert torch["call"] == "torch.nn.functional.gelu(x, approximate='none')"
    keras = next(e for e in body["equivalents"] if e["library"] == "keras")
    assert "approximate=True" in keras["differs"]
    assert body["follows"].startswith("PyTorch") and body["halves_axis"] is False
    assert r"\varphi(x)" in body["second_derivative_formula"]


async def test_axis_wise_activations_state_what_holds_of_them(client: httpx.AsyncClient) -> None:
    body = (await client.get(DETAIL.format("softmax"))).json()
    assert body["kind"] == "axiswise" and body["properties"] is None
    assert "axis" in body["properties_note"]
    assert body["declared"] == {
        "continuity": "C^∞",
        "range": {
            "low": 0.0,
            "high": 1.0,
            "low_closed": False,
            "high_closed": False,
            "notation": "(0, 1)",
        },
        "cost": "exp",
    }
    assert any("sum" in identity for identity in body["identities"])
    glu = (await client.get(DETAIL.format("glu"), params={"lang": "zh"})).json()
    assert glu["halves_axis"] is True and "沿" in glu["properties_note"]


@pytest.mark.parametrize(
    ("url", "query"),
    [
        (COMPARE, {"names": "relu,softmax"}),
        (DETAIL.format("entmax") + "/plot.svg", {}),
        (DETAIL.format("swiglu") + "/plot.png", {}),
    ],
)
async def test_axis_wise_activations_are_neither_compared_nor_plotted(
    client: httpx.AsyncClient, url: str, query: dict[str, str]
) -> None:
    body = problem(await client.get(url, params=query), 422)
    assert str(body["type"]).endswith("not-measurable") and body["reason"] == "axis-wise"
    assert "axis-wise" in str(body["detail"])


async def test_a_random_activation_is_described_but_not_measured(client: httpx.AsyncClient) -> None:
    body = (await client.get(DETAIL.format("rrelu"), params={"training": "true"})).json()
    assert body["properties"] is None and "random" in body["properties_note"]
    assert body["declared"]["continuity"] == "C^0"
    evaluated = (await client.get(DETAIL.format("rrelu"))).json()
    assert evaluated["properties"]["monotonic"] == "increasing"
    plot = problem(
        await client.get(DETAIL.format("rrelu") + "/plot.svg", params={"training": "true"}), 422
    )
    assert plot["reason"] == "random" and plot["errors"][0]["loc"] == ["params"]  # type: ignore[index]


ELEMENTWISE = sorted(name for name, entry in numerics.ACTIVATIONS.items() if not entry.axiswise)


@pytest.mark.parametrize("start", range(0, len(ELEMENTWISE), 12))
async def test_every_element_wise_activation_is_compared(
    client: httpx.AsyncClient, start: int
) -> None:
    names = ELEMENTWISE[start : start + 12] if start + 2 <= len(ELEMENTWISE) else ELEMENTWISE[-2:]
    response = await client.get(
        COMPARE, params={"names": ",".join(names)}, headers={"accept": "text/csv"}
    )
    assert [row["name"] for row in csv.DictReader(io.StringIO(response.text))] == names


@pytest.mark.parametrize("name", ELEMENTWISE)
async def test_every_element_wise_activation_is_plotted_with_its_kinks(
    client: httpx.AsyncClient, name: str
) -> None:
    entry = numerics.get(name)
    found = measure(entry, entry.resolve({})).discontinuities
    groups = _svg_groups((await client.get(DETAIL.format(name) + "/plot.svg")).content)
    assert {"f", "derivative"} <= groups
    shown = [d for d in found if -6 <= d.x <= 6]
    assert ("jumps" in groups) == any(d.order == 0 for d in shown)
    assert ("kinks" in groups) == any(d.order == 1 for d in shown)


async def test_initialisation_states_the_edge_of_chaos(client: httpx.AsyncClient) -> None:
    # Values anyone can derive: relu is critical at sigma_w^2 = 2, tanh and the identity at 1.
    for name, critical in (("relu", 2.0), ("tanh", 1.0), ("identity", 1.0)):
        body = (await client.get(f"/api/v1/activations/{name}")).json()
        assert body["initialisation"]["critical_sigma_w2"] == pytest.approx(critical, rel=1e-6)
    # A leaky slope a moves it to 2 / (1 + a^2), with the parameter from the query.
    body = (await client.get("/api/v1/activations/leaky_relu?negative_slope=0.5")).json()
    assert body["initialisation"]["critical_sigma_w2"] == pytest.approx(2 / 1.25, rel=1e-9)
    body = (await client.get("/api/v1/activations/softmax")).json()
    assert body["initialisation"]["critical_sigma_w2"] is None
