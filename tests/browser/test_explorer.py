"""The explorer page used as a person would, in headless Chromium: what it draws is the API's.

Curves and per-layer values are read back from the drawing (the pixel position of each vertex
or marker, mapped through the axes the chart declares) and compared with what the API answers
for the same request, within a pixel.
"""

from __future__ import annotations

import json
import math
import re
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

import httpx
import pytest

from tests.browser.conftest import Tab

pytestmark = pytest.mark.browser

T = TypeVar("T")
FUNCTION = "#panel-function"
COMPARE = "#panel-compare"
FLOW = "#panel-flow"
TRAINING = "#panel-training"
PIXEL = 0.6


def eventually(check: Callable[[], T], *, timeout: float = 8.0) -> T:
    """``check()`` once it stops raising AssertionError (the page draws after its answers)."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            return check()
        except AssertionError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.1)


def number(text: str) -> float:
    """A number as the page prints it (a true minus sign, ∞)."""
    return float(text.replace("−", "-").replace("∞", "inf"))


@dataclass(frozen=True)
class Axes:
    """The mapping a chart declares on its <svg>: data domains and the plot's pixel box."""

    x: tuple[float, float]
    y: tuple[float, float]
    log: bool
    box: tuple[float, float, float, float]

    @classmethod
    def of(cls, tab: Tab, svg: str) -> Axes:
        def floats(name: str) -> list[float]:
            text = tab.page.get_attribute(svg, name) or ""
            # Empty while the chart redraws: a check that reads it again later may pass.
            assert text, f"{svg} has no {name} yet"
            return [float(v) for v in text.split(",")]

        x, y, box = floats("data-x-domain"), floats("data-y-domain"), floats("data-plot-box")
        log = tab.page.get_attribute(svg, "data-y-scale") == "log"
        return cls((x[0], x[1]), (y[0], y[1]), log, (box[0], box[1], box[2], box[3]))

    def x_at(self, px: float) -> float:
        left, _, right, _ = self.box
        return self.x[0] + (px - left) / (right - left) * (self.x[1] - self.x[0])

    def px_of_x(self, x: float) -> float:
        left, _, right, _ = self.box
        return left + (x - self.x[0]) / (self.x[1] - self.x[0]) * (right - left)

    def py_of(self, y: float) -> float:
        _, top, _, bottom = self.box
        scale: Callable[[float], float] = math.log10 if self.log else float
        lo, hi = scale(self.y[0]), scale(self.y[1])
        return bottom - (scale(y) - lo) / (hi - lo) * (bottom - top)

    def inside(self, px: float, py: float) -> bool:
        left, top, right, bottom = self.box
        return left <= px <= right and top <= py <= bottom


def vertices(path_data: str) -> list[tuple[float, float]]:
    return [(float(a), float(b)) for a, b in re.findall(r"[ML](-?[\d.]+),(-?[\d.]+)", path_data)]


def evaluate(
    api: httpx.Client,
    name: str | dict[str, Any],
    xs: list[float],
    params: dict[str, Any],
    output: str,
) -> list[float]:
    """The API's values of a catalog entry, or of a formula (an object)."""
    body = {"x": xs, "params": params, "outputs": [output], "dtype": "float64"}
    if isinstance(name, dict):
        response = api.post("/api/v1/formulas/evaluate", json={**body, "activation": name})
    else:
        response = api.post(f"/api/v1/activations/{name}/evaluate", json=body)
    assert response.status_code == 200, response.text
    values: list[float] = response.json()[output]
    return values


def check_curve(
    tab: Tab,
    api: httpx.Client,
    *,
    svg: str,
    series: str,
    name: str | dict[str, Any],
    params: dict[str, Any],
    output: str,
) -> int:
    """Every 10th vertex of a drawn curve lies within a pixel of the API's value there."""
    axes = Axes.of(tab, svg)
    drawn = [
        p
        for p in vertices(tab.page.get_attribute(f"{svg} path[data-series='{series}']", "d") or "")
        if axes.inside(*p)
    ]
    assert len(drawn) > 50, f"{series}: only {len(drawn)} points drawn"
    sample = drawn[:: len(drawn) // 20]
    values = evaluate(api, name, [axes.x_at(px) for px, _ in sample], params, output)
    for (px, py), value in zip(sample, values, strict=True):
        assert abs(axes.py_of(value) - py) <= PIXEL, (
            f"{series} at px {px}: drawn {py}, API {value} -> {axes.py_of(value)}"
        )
    return len(sample)


def requests_to(tab: Tab, part: str) -> list[str]:
    return [url for url in tab.requests if part in url]


def test_function_view_draws_the_apis_curves_and_reads_exact_values(
    open_tab: Callable[..., Tab], api: httpx.Client
) -> None:
    tab = open_tab("/explore")
    page = tab.page
    svg = f"{FUNCTION} .chart-svg"
    page.wait_for_selector(f"{svg} path[data-series='f']")
    assert page.locator(f"{FUNCTION} .katex").count() >= 3
    assert page.locator(".katex-error").count() == 0
    tab.shot("loaded")

    picker = f"{FUNCTION} .picker input"
    page.fill(picker, "swish")  # an alias: the API answers with its activation
    page.press(picker, "Enter")
    eventually(
        lambda: check_curve(tab, api, svg=svg, series="f", name="silu", params={}, output="value")
    )
    assert page.input_value(picker) == "silu"
    assert page.inner_text(f"{FUNCTION} .info h2").startswith("silu")
    tab.shot("swish-is-silu")

    page.fill(picker, "gelu")
    page.press(picker, "Enter")
    page.wait_for_selector(f"{FUNCTION} [data-param='approximate'] select")
    with page.expect_request(lambda r: "/evaluate" in r.url and '"tanh"' in (r.post_data or "")):
        page.select_option(f"{FUNCTION} [data-param='approximate'] select", "tanh")
    tanh = {"approximate": "tanh"}
    for series, output in (("f", "value"), ("d1", "gradient")):
        eventually(
            lambda s=series, o=output: check_curve(
                tab, api, svg=svg, series=s, name="gelu", params=tanh, output=o
            )
        )
    tab.shot("gelu-tanh")

    page.check(f"{FUNCTION} input[name='curve'][value='d2']")
    eventually(
        lambda: check_curve(
            tab, api, svg=svg, series="d2", name="gelu", params=tanh, output="second_derivative"
        )
    )
    box = page.locator(svg).bounding_box()
    assert box is not None
    page.mouse.move(box["x"] + box["width"] * 0.4, box["y"] + 120)

    def readout() -> tuple[float, dict[str, str]]:
        x = number(page.inner_text(f"{FUNCTION} [data-readout='x']"))
        shown = {k: page.inner_text(f"{FUNCTION} [data-readout='{k}']") for k in ("f", "d1", "d2")}
        return x, shown

    x, shown = eventually(readout)
    for key, output in (("f", "value"), ("d1", "gradient"), ("d2", "second_derivative")):
        (exact,) = evaluate(api, "gelu", [x], tanh, output)
        assert number(shown[key]) == exact  # every digit
    (exact_erf,) = evaluate(api, "gelu", [x], {}, "value")
    assert number(shown["f"]) != exact_erf  # the moved parameter is the one evaluated
    tab.shot("readout")

    with page.expect_response(lambda r: "lang=zh" in r.url):
        page.select_option("#language", "zh")
    detail = api.get(
        "/api/v1/activations/gelu", params={"approximate": "tanh", "lang": "zh"}
    ).json()
    eventually(
        lambda: _same(page.inner_text(f"{FUNCTION} .info .description"), detail["description"])
    )
    assert page.get_attribute("html", "lang") == "zh-CN"
    assert page.inner_text("#tab-function") == "函数"
    assert [li.inner_text() for li in page.locator(f"{FUNCTION} .pros li").all()] == detail["pros"]
    assert "lang=zh" in page.url
    tab.shot("chinese")


def _same(shown: str, expected: str) -> None:
    assert shown == expected


def test_a_slider_moves_a_parameter_and_the_curve_follows(
    open_tab: Callable[..., Tab], api: httpx.Client
) -> None:
    tab = open_tab("/explore?view=function&name=elu&x=-4,2")
    page = tab.page
    svg = f"{FUNCTION} .chart-svg"
    slider = f"{FUNCTION} [data-slider='alpha']"
    page.wait_for_selector(slider)
    page.focus(slider)
    for _ in range(50):
        page.keyboard.press("ArrowRight")  # 50 steps of 0.01
    typed = f"{FUNCTION} [data-param='alpha'] input[type='number']"

    def alpha_shown() -> float:
        # Read once the controls have settled: an answer arriving mid-keystrokes redraws them.
        shown = page.input_value(typed)
        assert shown and float(shown) == pytest.approx(1.5), shown
        return float(shown)

    alpha = eventually(alpha_shown)
    eventually(
        lambda: check_curve(
            tab, api, svg=svg, series="f", name="elu", params={"alpha": alpha}, output="value"
        )
    )
    # 50 key presses, a handful of requests: they are debounced.
    assert len(requests_to(tab, "/activations/elu/evaluate")) < 10
    assert "p.alpha=1.5" in page.url
    tab.shot("elu-alpha-1.5")


def test_jumps_are_drawn_open_and_closed(open_tab: Callable[..., Tab], api: httpx.Client) -> None:
    tab = open_tab("/explore?view=function&name=relu&p.threshold=0.5&p.negative_slope=0.1&x=-2,2")
    page = tab.page
    svg = f"{FUNCTION} .chart-svg"
    page.wait_for_selector(f"{svg} circle.dot")
    axes = Axes.of(tab, svg)
    dots = page.locator(f"{svg} circle.dot[data-series='f']")
    found = sorted(
        (d.get_attribute("class") == "dot open", float(d.get_attribute("cy") or 0))
        for d in dots.all()
    )
    # Keras' relu: f(x) = 0.1 (x - 0.5) below 0.5, x above. f(0.5) = 0 is attained, as is the
    # left limit; the right limit 0.5 is not.
    at, right = evaluate(
        api,
        "relu",
        [0.5, math.nextafter(0.5, 1)],
        {"threshold": 0.5, "negative_slope": 0.1},
        "value",
    )
    assert [o for o, _ in found] == [False, True]
    assert found[0][1] == pytest.approx(axes.py_of(at), abs=PIXEL)
    assert found[1][1] == pytest.approx(axes.py_of(right), abs=PIXEL)
    assert page.locator(f"{svg} line.mark").count() == 1
    tab.shot("relu-threshold")


def test_an_unknown_name_gets_the_apis_detail_and_the_curve_stays(
    open_tab: Callable[..., Tab], api: httpx.Client
) -> None:
    tab = open_tab("/explore?view=function&name=tanh")
    page = tab.page
    page.wait_for_selector(f"{FUNCTION} .chart-svg path[data-series='f']")
    tab.expect_failure("/activations/sigmiod")
    page.fill(f"{FUNCTION} .picker input", "sigmiod")
    page.press(f"{FUNCTION} .picker input", "Enter")
    detail = api.get("/api/v1/activations/sigmiod").json()["detail"]
    eventually(lambda: _same(page.inner_text(f"{FUNCTION} .error"), detail))
    assert "did you mean sigmoid" in detail
    assert "name=tanh" in page.url
    tab.shot("unknown-name")


def test_a_typed_formula_is_drawn_described_and_refused_where_it_is_wrong(
    open_tab: Callable[..., Tab], api: httpx.Client
) -> None:
    tab = open_tab("/explore?view=function&x=-4,4")
    page = tab.page
    svg = f"{FUNCTION} .chart-svg"
    page.wait_for_selector(f"{svg} path[data-series='f']")
    page.check(f"{FUNCTION} input[name='function-source'][value='formula']")
    assert page.is_hidden(f"{FUNCTION} .picker") and page.is_visible(f"{FUNCTION} .formula-editor")
    expression = f"{FUNCTION} .formula-editor input[name='expression']"
    page.fill(expression, "beta * x / (1 + exp(-x))")
    page.press(expression, "Enter")
    # beta (declared by the default formula, default 1) at 1: silu, by the catalog's numbers.
    for series, output in (("f", "value"), ("d1", "gradient")):
        eventually(
            lambda s=series, o=output: check_curve(
                tab, api, svg=svg, series=s, name="silu", params={}, output=o
            )
        )
    assert page.inner_text(f"{FUNCTION} .info h2").startswith("beta * x / (1 + exp(-x))")
    assert page.locator(f"{FUNCTION} .info .katex").count() >= 3
    assert page.locator(".katex-error").count() == 0
    analysis = api.post(
        "/api/v1/formulas",
        json={
            "activation": {
                "expression": "beta * x / (1 + exp(-x))",
                "parameters": {"beta": {"default": 1, "min": 0, "max": 10}},
            },
            "accuracy": False,
        },
    ).json()
    served = f"{FUNCTION} [data-formula='served']"
    eventually(lambda: _same(page.inner_text(served), analysis["served"]), timeout=30)
    assert page.inner_text(f"{FUNCTION} [data-formula='gradient']") == analysis["gradient"]
    assert page.locator(f"{FUNCTION} tr[data-accuracy='value']").count() == 1
    tab.shot("formula-silu")

    formula = {
        "expression": "beta * x / (1 + exp(-x))",
        "parameters": {"beta": {"default": 1, "min": 0, "max": 10}},
    }
    page.fill(f"{FUNCTION} [data-param='beta'] input[type='number']", "2.5")
    for series, output in (("f", "value"), ("d2", "second_derivative")):
        if series == "d2":
            page.check(f"{FUNCTION} input[name='curve'][value='d2']")
        eventually(
            lambda s=series, o=output: check_curve(
                tab, api, svg=svg, series=s, name=formula, params={"beta": 2.5}, output=o
            )
        )
    assert "p.beta=2.5" in page.url and "f=beta" in page.url
    tab.shot("formula-beta")

    shared = open_tab(page.url.removeprefix(page.url.split("/explore")[0]))
    shared.page.wait_for_selector(f"{svg} path[data-series='f']")
    assert shared.page.input_value(expression) == "beta * x / (1 + exp(-x))"
    eventually(
        lambda: check_curve(
            shared, api, svg=svg, series="f", name=formula, params={"beta": 2.5}, output="value"
        )
    )

    tab.expect_failure("/formulas/describe")
    page.fill(expression, "beta * x ^ 2")
    page.press(expression, "Enter")
    refused = api.post(
        "/api/v1/formulas/describe", json={"activation": {**formula, "expression": "beta * x ^ 2"}}
    ).json()
    eventually(lambda: _same(page.inner_text(f"{FUNCTION} .error"), refused["detail"]))
    assert refused["column"] == 10
    caret = page.inner_text(f"{FUNCTION} .formula-caret").split("\n")
    assert caret == ["beta * x ^ 2", " " * 9 + "^"]
    assert page.get_attribute(expression, "aria-invalid") == "true"
    tab.shot("formula-refused")

    page.fill(f"{FUNCTION} .declared-row input[name='name']", "2beta")
    page.fill(expression, "x")
    page.press(expression, "Enter")
    declared = f"{FUNCTION} .declared-row input[name='name']"
    eventually(lambda: _same(page.get_attribute(declared, "aria-invalid"), "true"))
    assert page.get_attribute(expression, "aria-invalid") is None
    assert page.is_hidden(f"{FUNCTION} .formula-caret")
    tab.shot("parameter-refused")


def test_compare_overlays_the_apis_curves_and_shares_by_url(
    open_tab: Callable[..., Tab], api: httpx.Client, browser: Any
) -> None:
    tab = open_tab("/explore?view=compare&names=relu,silu&curve=d1")
    page = tab.page
    svg = f"{COMPARE} .chart-svg"
    picker = f"{COMPARE} .picker input"
    page.fill(picker, "mish")
    page.press(picker, "Enter")
    page.wait_for_selector(f"{COMPARE} .comparison-table tr[data-name='mish']")
    for name in ("relu", "silu", "mish"):
        eventually(
            lambda n=name: check_curve(
                tab, api, svg=svg, series=n, name=n, params={}, output="gradient"
            )
        )
    table = api.get("/api/v1/compare", params={"names": "relu,silu,mish"}).json()["activations"]
    rows = page.locator(f"{COMPARE} .comparison-table tbody tr")
    assert [r.get_attribute("data-name") for r in rows.all()] == [row["name"] for row in table]
    for row in table:
        cell = page.inner_text(f"{COMPARE} tr[data-name='{row['name']}'] td[data-property='range']")
        assert cell == row["properties"]["range"]["notation"]
    tab.shot("compare")

    page.fill(picker, "softmax")  # axis-wise: nothing to overlay
    page.press(picker, "Enter")
    eventually(lambda: _same(page.is_visible(f"{COMPARE} .error"), True))
    assert "softmax" in page.inner_text(f"{COMPARE} .error")

    page.click("#share")
    shared = page.input_value("#share-url")
    assert "names=relu%2Csilu%2Cmish" in shared and "curve=d1" in shared
    tab.shot("share")
    other = open_tab(shared.removeprefix(page.url.split("/explore")[0]))
    other.page.wait_for_selector(f"{COMPARE} .comparison-table tr[data-name='mish']")
    assert other.page.is_checked(f"{COMPARE} input[value='d1']")
    eventually(
        lambda: check_curve(
            other, api, svg=svg, series="mish", name="mish", params={}, output="gradient"
        )
    )
    other.page.reload()
    other.page.wait_for_selector(f"{COMPARE} .comparison-table tr[data-name='mish']")
    chips = [
        c.inner_text().split("\n")[0].strip() for c in other.page.locator(f"{COMPARE} .chip").all()
    ]
    assert [c.rstrip("×").strip() for c in chips] == ["relu", "silu", "mish"]
    other.shot("shared-and-reloaded")


def _flow_request(tab: Tab, action: Callable[[], None]) -> dict[str, Any]:
    with tab.page.expect_request(lambda r: r.url.endswith("/simulations/gradient-flow")) as request:
        action()
    body: dict[str, Any] = json.loads(request.value.post_data or "{}")
    return body


def check_layers(tab: Tab, chart: str, answer: dict[str, Any], series: str) -> None:
    svg = f"{FLOW} [data-chart='{chart}'] .chart-svg"
    axes = Axes.of(tab, svg)
    markers = tab.page.locator(f"{svg} circle.marker[data-series='{series}']")
    drawn = [
        (float(m.get_attribute("cx") or 0), float(m.get_attribute("cy") or 0))
        for m in markers.all()
    ]
    layers = answer["layers"]
    assert len(drawn) == len(layers)
    for (cx, cy), layer in zip(drawn, layers, strict=True):
        assert cx == pytest.approx(axes.px_of_x(layer["layer"]), abs=PIXEL)
        assert cy == pytest.approx(axes.py_of(layer[series]), abs=PIXEL), (series, layer["layer"])


def test_gradient_flow_plots_the_apis_layers_and_the_phase_diagram(
    open_tab: Callable[..., Tab], api: httpx.Client
) -> None:
    path = "/explore?view=flow&name=relu&depth=12&width=64&batch=32&scheme=he_normal"
    tab = open_tab(path)
    page = tab.page
    page.wait_for_selector(f"{FLOW} [data-summary='verdict']")
    body = _flow_request(tab, lambda: page.click(f"{FLOW} button.run"))
    assert (
        body["activation"] == "relu"
        and body["depth"] == 12
        and body["init"]["scheme"] == "he_normal"
    )
    answer = api.post("/api/v1/simulations/gradient-flow", json=body).json()

    def drawn() -> None:
        check_layers(tab, "gradient", answer, "grad_preact_rms")
        check_layers(tab, "signal", answer, "preact_second_moment")
        check_layers(tab, "fractions", answer, "dead_fraction")
        check_layers(tab, "fractions", answer, "saturated_fraction")

    eventually(drawn)
    assert (
        page.get_attribute(f"{FLOW} [data-summary='verdict']", "class")
        == f"verdict verdict-{answer['summary']['verdict']}"
    )
    assert number(page.inner_text(f"{FLOW} [data-summary='chi1']")) == pytest.approx(
        answer["theory"]["chi_1"], rel=1e-5
    )
    phase_svg = f"{FLOW} [data-chart='phase'] .chart-svg"
    page.wait_for_selector(f"{phase_svg} [data-point='current'] circle")
    axes = Axes.of(tab, phase_svg)
    point = page.locator(f"{phase_svg} [data-point='current'] circle")
    assert float(point.get_attribute("cx") or 0) == pytest.approx(
        axes.px_of_x(answer["summary"]["sigma_b2"]), abs=PIXEL
    )
    assert float(point.get_attribute("cy") or 0) == pytest.approx(
        axes.py_of(answer["summary"]["sigma_w2"]), abs=PIXEL
    )
    critical = vertices(page.get_attribute(f"{phase_svg} path[data-series='critical']", "d") or "")
    line = api.post(
        "/api/v1/simulations/critical-line",
        json={"activation": "relu", "sigma_b2": [axes.x_at(px) for px, _ in critical]},
    ).json()["points"]
    assert len(critical) > 10
    for (_, py), at in zip(critical, line, strict=True):
        assert py == pytest.approx(axes.py_of(at["sigma_w2"]), abs=PIXEL)
    tab.shot("relu-he")

    # Half as far again above relu's edge of chaos at sigma_b^2 = 0.5: a click there picks it.
    line = api.get(
        "/api/v1/simulations/critical-line", params={"activation": "relu", "sigma_b2": [0.5]}
    ).json()
    page.locator(phase_svg).scroll_into_view_if_needed()
    box = page.locator(phase_svg).bounding_box()
    assert box is not None
    target_x = axes.px_of_x(0.5)
    target_y = axes.py_of(line["points"][0]["sigma_w2"] * 1.5)
    body = _flow_request(tab, lambda: page.mouse.click(box["x"] + target_x, box["y"] + target_y))
    assert body["init"]["sigma_w"] ** 2 == pytest.approx(
        line["points"][0]["sigma_w2"] * 1.5, rel=0.03
    )
    assert body["init"]["sigma_b"] ** 2 == pytest.approx(0.5, rel=0.03)
    eventually(lambda: _same(page.inner_text(f"{FLOW} [data-summary='phase']"), "chaotic"))
    tab.shot("clicked-chaotic")

    # A request over a limit: the problem's detail is shown as the API wrote it.
    tab.expect_failure("/simulations/gradient-flow")
    too_deep = {**body, "depth": 100_000}
    detail = api.post("/api/v1/simulations/gradient-flow", json=too_deep).json()["detail"]
    page.fill(f"{FLOW} input[name='depth']", "100000")
    eventually(lambda: _same(page.inner_text(f"{FLOW} .error"), detail))
    tab.shot("error-detail")


def _training_request(tab: Tab, action: Callable[[], None]) -> dict[str, Any]:
    with tab.page.expect_request(lambda r: "/simulations/training" in r.url) as request:
        action()
    body: dict[str, Any] = json.loads(request.value.post_data or "{}")
    return body


def check_steps(tab: Tab, chart: str, answer: dict[str, Any], metric: str) -> None:
    """Each entrant's mean curve of ``metric``: one marker per recorded step, where the API
    puts it."""
    svg = f"{TRAINING} [data-chart='{chart}'] .chart-svg"
    axes = Axes.of(tab, svg)
    for run in answer["entrants"]:
        series = f"{run['label']}/{metric}"
        markers = tab.page.locator(f"{svg} circle.marker[data-series='{series}']").all()
        drawn = [
            (float(m.get_attribute("cx") or 0), float(m.get_attribute("cy") or 0)) for m in markers
        ]
        curves = run["curves"]
        assert len(drawn) == len(curves["steps"]), series
        for (cx, cy), step, mean in zip(
            drawn, curves["steps"], curves[metric]["mean"], strict=True
        ):
            assert cx == pytest.approx(axes.px_of_x(step), abs=PIXEL), (series, step)
            assert cy == pytest.approx(axes.py_of(mean), abs=PIXEL), (series, step)


def test_training_draws_the_apis_curves_side_by_side_and_ranks_them(
    open_tab: Callable[..., Tab], api: httpx.Client
) -> None:
    path = (
        "/explore?view=training&names=relu,tanh&task=moons&depth=2&width=16&steps=150"
        "&trials=3&batch=32"
    )
    tab = open_tab(path)
    page = tab.page
    page.wait_for_selector(f"{TRAINING} .ranking-table tbody tr")
    body = _training_request(tab, lambda: page.click(f"{TRAINING} button.run"))
    assert [e["activation"] for e in body["entrants"]] == ["relu", "tanh"]
    assert body["task"]["name"] == "moons" and body["training"]["steps"] == 150
    answer = api.post("/api/v1/simulations/training-comparison", json=body).json()

    def drawn() -> None:
        check_steps(tab, "loss", answer, "test_loss")
        check_steps(tab, "accuracy", answer, "test_accuracy")
        check_steps(tab, "dead", answer, "dead_fraction")

    eventually(drawn, timeout=30)
    rows = page.locator(f"{TRAINING} .ranking-table tbody tr").all()
    standings = answer["ranking"]["standings"]
    assert [r.get_attribute("data-label") for r in rows] == [s["label"] for s in standings]
    best = standings[0]
    shown = page.inner_text(f"{TRAINING} tr[data-label='{best['label']}'] td[data-cell='mean']")
    assert number(shown) == pytest.approx(best["estimate"]["mean"], rel=1e-3)
    tab.shot("relu-tanh-moons")

    # A third activation from the picker: one more entrant, same data and seeds; in the URL.
    picker = f"{TRAINING} .picker input"
    body = _training_request(
        tab, lambda: (page.fill(picker, "leaky_relu"), page.press(picker, "Enter"))
    )
    assert [e["activation"] for e in body["entrants"]] == ["relu", "tanh", "leaky_relu"]
    page.wait_for_selector(f"{TRAINING} tr[data-label='leaky_relu']", timeout=30_000)
    assert "names=relu%2Ctanh%2Cleaky_relu" in page.url
    tab.shot("three-activations")

    # Regression has no accuracy: its chart is hidden, loss and dead units stay.
    body = _training_request(
        tab, lambda: page.select_option(f"{TRAINING} select[name='task']", "linear_teacher")
    )
    assert body["task"]["name"] == "linear_teacher"
    answer = api.post("/api/v1/simulations/training-comparison", json=body).json()
    eventually(lambda: check_steps(tab, "loss", answer, "test_loss"), timeout=30)
    assert not page.is_visible(f"{TRAINING} [data-chart='accuracy']")

    # Over a limit: the problem's detail, as the API wrote it.
    tab.expect_failure("/simulations/training")
    too_many = {**body, "trials": 100_000}
    detail = api.post("/api/v1/simulations/training-comparison", json=too_many).json()["detail"]
    page.fill(f"{TRAINING} input[name='trials']", "100000")
    eventually(lambda: _same(page.inner_text(f"{TRAINING} .error"), detail), timeout=15)
    tab.shot("error-detail")


def test_typing_sends_one_request_not_one_per_keystroke(open_tab: Callable[..., Tab]) -> None:
    tab = open_tab("/explore?view=flow&depth=8&width=32&batch=16")
    page = tab.page
    page.wait_for_selector(f"{FLOW} [data-summary='verdict']")
    page.wait_for_timeout(700)
    before = len(requests_to(tab, "/gradient-flow"))
    page.fill(f"{FLOW} input[name='width']", "")
    page.keyboard.type("48", delay=80)
    page.keyboard.press("Tab")
    page.wait_for_timeout(1200)
    sent = requests_to(tab, "/gradient-flow")[before:]
    assert len(sent) == 1
    assert "width=48" in page.url


def test_every_control_is_labelled_and_both_languages_have_every_word(
    open_tab: Callable[..., Tab],
) -> None:
    tab = open_tab("/explore?view=function&name=relu")
    page = tab.page
    page.wait_for_selector(f"{FUNCTION} [data-param='threshold']")
    for view in ("compare", "flow"):
        page.click(f"#tab-{view}")
    page.wait_for_selector(f"{FLOW} [data-summary='verdict']")
    # After the flow's answer: a training run holds the simulation worker for a while.
    page.click("#tab-training")
    page.wait_for_selector(f"{TRAINING} input[name='trials']")
    unlabelled = page.evaluate(
        """() => [...document.querySelectorAll('input, select, button, textarea')]
            .filter((e) => e.type !== 'hidden')
            .filter((e) => !(e.labels && e.labels.length) && !e.getAttribute('aria-label')
                && !e.getAttribute('aria-labelledby') && !e.textContent.trim())
            .map((e) => e.outerHTML.slice(0, 120))"""
    )
    assert not unlabelled
    base = page.get_attribute("script[type='module']", "src") or ""
    en, zh = page.evaluate(
        "async (src) => { const m = await import(src.replace('main.js', 'i18n.js'));"
        " return [m.keys('en'), m.keys('zh')]; }",
        base,
    )
    assert en == zh


def test_the_tabs_and_the_chart_work_from_the_keyboard(open_tab: Callable[..., Tab]) -> None:
    tab = open_tab("/explore?view=function&name=tanh&x=-4,4")
    page = tab.page
    page.wait_for_selector(f"{FUNCTION} .chart-svg path[data-series='f']")
    page.focus("#tab-function")
    page.keyboard.press("ArrowRight")
    assert page.evaluate("document.activeElement.id") == "tab-compare"
    assert page.is_visible(COMPARE) and not page.is_visible(FUNCTION)
    page.keyboard.press("ArrowLeft")
    assert page.is_visible(FUNCTION)
    page.focus(f"{FUNCTION} .chart-host")
    page.keyboard.press("+")
    low, high = (
        float(v) for v in (page.input_value(f"{FUNCTION} .range input >> nth={i}") for i in (0, 1))
    )
    assert (low, high) == (-3.2, 3.2)
    page.keyboard.press("ArrowRight")
    eventually(lambda: _same(page.inner_text(f"{FUNCTION} [data-readout='x']") != "", True))
    page.keyboard.press("0")
    assert page.input_value(f"{FUNCTION} .range input >> nth=0") == "-6"


@pytest.mark.parametrize("view", ["function", "compare", "flow", "training"])
def test_each_view_fits_a_360_pixel_screen(open_tab: Callable[..., Tab], view: str) -> None:
    small = "&steps=50&trials=2" if view == "training" else ""
    tab = open_tab(f"/explore?view={view}&depth=10&width=32&batch=16{small}", width=360, height=740)
    page = tab.page
    page.wait_for_selector(f"#panel-{view} .chart-svg path")
    page.wait_for_timeout(300)
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    tab.shot(f"{view}-360px")
