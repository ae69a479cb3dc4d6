"""Bodies in flight: the process-wide byte budget answers 503 past it, and a body that does not
arrive within its deadline gets 408 and does not hold the budget."""

from __future__ import annotations

import asyncio
import gzip
from collections.abc import AsyncIterator

import anyio
import httpx
import orjson
import pytest
from starlette.types import Message, Receive, Scope, Send

from service.api.intake import BodyDeadlines, ByteBudget, Intake
from tests.api.conftest import ClientFactory, problem

pytestmark = pytest.mark.anyio

URL = "/api/v1/activations/tanh/evaluate"
JSON = {"content-type": "application/json"}


def _body(size: int) -> bytes:
    """A valid evaluate body of exactly ``size`` bytes."""
    head = b'{"x":[0.5]'
    return head + b" " * (size - len(head) - 1) + b"}"


def _budget(client: httpx.AsyncClient) -> ByteBudget:
    budget: ByteBudget = client._transport.app.state.byte_budget  # type: ignore[attr-defined]
    return budget


async def test_a_body_that_would_pass_the_budget_gets_503_before_it_is_read(
    make_client: ClientFactory,
) -> None:
    client = make_client(max_bytes_in_flight=4096, retry_after=3)
    body = problem(await client.post(URL, content=_body(5000), headers=JSON), 503)
    assert body["limit"] == "max_bytes_in_flight"
    response = await client.post(URL, content=_body(5000), headers=JSON)
    assert response.headers["retry-after"] == "3"
    assert _budget(client).refused["bytes-in-flight"] == 2
    assert _budget(client).in_flight == 0


async def test_bytes_held_by_one_request_are_refused_to_another_and_given_back(
    make_client: ClientFactory,
) -> None:
    client = make_client(max_bytes_in_flight=4096)
    first_sent, release = anyio.Event(), anyio.Event()
    body = _body(3000)

    async def slow() -> AsyncIterator[bytes]:
        yield body[:100]
        first_sent.set()
        await release.wait()
        yield body[100:]

    answers: dict[str, httpx.Response] = {}

    async def first() -> None:
        headers = {**JSON, "content-length": str(len(body))}
        answers["first"] = await client.post(URL, content=slow(), headers=headers)

    async with anyio.create_task_group() as tasks:
        tasks.start_soon(first)
        await first_sent.wait()
        assert _budget(client).in_flight == 3000
        problem(await client.post(URL, content=_body(2000), headers=JSON), 503)
        assert (await client.post(URL, content=_body(1000), headers=JSON)).status_code == 200
        release.set()
    assert answers["first"].status_code == 200, answers["first"].text
    assert _budget(client).in_flight == 0
    assert (await client.post(URL, content=_body(4000), headers=JSON)).status_code == 200


async def test_a_chunked_body_is_counted_as_it_arrives(make_client: ClientFactory) -> None:
    client = make_client(max_bytes_in_flight=4096)

    async def chunks() -> AsyncIterator[bytes]:
        for _ in range(10):
            yield b" " * 1000

    problem(await client.post(URL, content=chunks(), headers=JSON), 503)
    assert _budget(client).in_flight == 0


async def test_a_body_past_its_deadline_gets_408_and_its_bytes_back(
    make_client: ClientFactory,
) -> None:
    client = make_client(body_timeout=0.2)
    body = orjson.dumps({"x": [0.5]})

    async def trickle() -> AsyncIterator[bytes]:
        for byte in body:
            yield bytes([byte])
            await anyio.sleep(0.1)

    for url in (URL, "/api/v1/simulations/gradient-flow"):
        headers = {**JSON, "content-length": str(len(body))}
        response = await client.post(url, content=trickle(), headers=headers)
        assert problem(response, 408)["limit"] == "body_timeout"
        assert response.headers["connection"] == "close"
    assert _budget(client).in_flight == 0
    assert _budget(client).refused["body-timeout"] == 2


async def test_the_budget_is_given_back_after_errors(client: httpx.AsyncClient) -> None:
    for content in (b"{", b'{"x": [1, [2]]}', _body(70_000)[:-1]):
        response = await client.post(URL, content=content, headers=JSON)
        assert response.status_code in (400, 422)
    assert _budget(client).in_flight == 0


async def test_a_cancellation_other_than_the_deadline_goes_on_up() -> None:
    """The deadline's watchdog cancels the waiting task: any other cancellation of it, such
    as a shutdown's, must not be taken for a late body and answered."""
    waiting, sent = anyio.Event(), []

    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        await receive()

    async def receive() -> Message:
        waiting.set()
        await anyio.sleep(60)
        return {"type": "http.request", "body": b"{}"}

    async def send(message: Message) -> None:
        sent.append(message)

    budget = ByteBudget(1000)
    intake = Intake(
        app, max_bytes=100, budget=budget, body_timeout=30, retry_after=1, inflated="/v2/"
    )
    scope: Scope = {"type": "http", "headers": [(b"content-length", b"2")]}
    task = asyncio.ensure_future(intake(scope, receive, send))
    await waiting.wait()
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert sent == []
    assert budget.in_flight == 0
    assert budget.refused["body-timeout"] == 0


def test_the_deadlines_are_kept_on_each_new_event_loop() -> None:
    """One app may serve several event loops one after the other (tests run one each): a timer
    left armed by a loop that has closed must not stop the next loop's deadlines."""
    deadlines = BodyDeadlines(tick=0.01)

    async def cancelled_for_lateness() -> bool:
        task = asyncio.current_task()
        assert task is not None
        deadlines.watch(task, asyncio.get_running_loop().time())
        try:
            await asyncio.sleep(5)
        except asyncio.CancelledError:
            return deadlines.unwatch(task)
        return False

    async def left_armed() -> None:
        task = asyncio.current_task()
        assert task is not None
        deadlines.watch(task, asyncio.get_running_loop().time() + 60)

    assert asyncio.run(cancelled_for_lateness())
    asyncio.run(left_armed())
    assert asyncio.run(cancelled_for_lateness())


@pytest.mark.parametrize("length", [b"", b"12a", b"-1"])
async def test_a_content_length_that_is_no_number_gets_400(length: bytes) -> None:
    sent: list[Message] = []

    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        raise AssertionError("the app is not called")

    async def receive() -> Message:
        return {"type": "http.request", "body": b""}

    async def send(message: Message) -> None:
        sent.append(message)

    intake = Intake(
        app, max_bytes=100, budget=ByteBudget(1000), body_timeout=1, retry_after=1, inflated="/v2/"
    )
    scope: Scope = {"type": "http", "path": URL, "headers": [(b"content-length", length)]}
    await intake(scope, receive, send)
    assert sent[0]["status"] == 400
    assert b"bad-content-length" in sent[1]["body"]


async def test_a_coded_body_gets_415_but_where_the_protocol_inflates_it(
    client: httpx.AsyncClient,
) -> None:
    """Read as it came, a gzipped body had been "not valid JSON" or "not a .npy array"."""
    body = gzip.compress(b'{"x": [1.0, -2.0]}')
    coded = {**JSON, "content-encoding": "gzip"}
    answer = problem(await client.post(URL, content=body, headers=coded), 415)
    assert answer["type"].endswith(":unsupported-content-encoding")  # type: ignore[union-attr]
    assert "'gzip'" in answer["detail"]  # type: ignore[operator]
    identity = {**JSON, "content-encoding": "identity"}
    assert (await client.post(URL, content=_body(20), headers=identity)).status_code == 200
    protocol = {"inputs": [{"name": "x", "shape": [1], "datatype": "FP64", "data": [1.0]}]}
    inflated = await client.post(
        "/v2/models/tanh/infer", content=gzip.compress(orjson.dumps(protocol)), headers=coded
    )
    assert inflated.status_code == 200, inflated.text
