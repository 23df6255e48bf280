"""Bad input, as an adversarial client sends it: every answer a clear error in booth's shape.

The shape is `{"error": {"code", "message", "retryable"}, "detail": message}` for the
framework's own errors too (parse errors, unknown paths, wrong methods, oversized bodies).
"""

from __future__ import annotations

import asyncio

import httpx
import pytest
from httpx_sse import aconnect_sse

from booth.config import Settings
from booth.server import create_app
from tests.support.servers import ThreadServer
from tests.support.sse import assert_well_formed, post_stream
from tests.support.testapp import create_router

BODY_LIMIT = 4096


@pytest.fixture(scope="module")
def server():
    settings = Settings(store="memory", ui=False, max_body_bytes=BODY_LIMIT)
    live = ThreadServer(create_app(settings, routers=[create_router])).start()
    yield live
    live.stop()


def client(server) -> httpx.AsyncClient:
    return httpx.AsyncClient(base_url=server.url, timeout=30)


def assert_booth_error(response: httpx.Response, status: int, code: str) -> dict:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/json")
    body = response.json()
    assert set(body) == {"error", "detail"}
    assert set(body["error"]) == {"code", "message", "retryable"}
    assert body["error"]["code"] == code
    assert body["detail"] == body["error"]["message"] and body["detail"]
    return body


JSON = {"content-type": "application/json"}


@pytest.mark.parametrize(
    "raw",
    [
        b'{"query": "caf\xe9 au lait"}',  # invalid UTF-8
        b'{"query": "truncated',  # truncated JSON
        b"[" * 2000 + b"]" * 2000,  # deep nesting (under the body limit)
        b"",  # no body at all
    ],
    ids=["invalid-utf8", "truncated", "deep-nesting", "empty"],
)
async def test_an_unparseable_body_is_400_in_booths_shape(server, raw):
    async with client(server) as http:
        answer = await http.post("/test/stream", content=raw, headers=JSON)
    assert answer.status_code in (400, 422)
    assert_booth_error(answer, answer.status_code, "INVALID_QUERY")


async def test_an_unknown_path_and_a_wrong_method_answer_in_booths_shape(server):
    async with client(server) as http:
        missing = await http.get("/no/such/endpoint")
        wrong = await http.delete("/test/stream")
    assert_booth_error(missing, 404, "NOT_FOUND")
    body = assert_booth_error(wrong, 405, "INVALID_QUERY")
    assert "method" in body["detail"]
    assert "POST" in wrong.headers["allow"]


async def test_a_body_over_the_limit_is_413_whether_declared_or_streamed(server):
    big = b'{"query": "' + b"x" * (BODY_LIMIT * 4) + b'"}'

    async def chunks():  # no Content-Length: counted as it arrives (just over, so the
        yield big[:BODY_LIMIT]  # server has read everything it is sent when it answers)
        yield big[BODY_LIMIT : BODY_LIMIT + 100]

    async with client(server) as http:
        declared = await http.post("/test/stream", content=big, headers=JSON)
        streamed = await http.post("/test/stream", content=chunks(), headers=JSON)
    assert_booth_error(declared, 413, "INVALID_QUERY")
    assert_booth_error(streamed, 413, "INVALID_QUERY")
    assert "transfer-encoding" not in declared.request.headers
    assert streamed.request.headers["transfer-encoding"] == "chunked"


@pytest.mark.parametrize("session_id", ["session-id-ok\n", "session id", "short", "x" * 129])
async def test_a_malformed_session_id_is_refused_before_anything_runs(server, session_id):
    async with client(server) as http:
        by_body = await http.post("/test/stream", json={"query": "hello", "session_id": session_id})
    assert_booth_error(by_body, 422, "INVALID_QUERY")
    assert server.host.runtime.runs == {}
    assert server.call(server.host.sessions.count()) == 0


async def _finished_run(http: httpx.AsyncClient) -> tuple[str, dict, int]:
    got = await post_stream(http, "/test/stream", {"query": "resume me"})
    assert_well_formed(got)
    token = {"X-Session-Token": got.headers["x-session-token"]}
    return got.headers["x-run-id"], token, len(got.events)


@pytest.mark.parametrize("value", ["-3", "1.5", "abc", "18446744073709551617x", "٣"])
async def test_a_last_event_id_that_is_not_a_non_negative_integer_is_400(server, value):
    async with client(server) as http:
        run_id, token, _ = await _finished_run(http)
        answer = await http.get(
            f"/api/runs/{run_id}/events", headers={**token, "Last-Event-ID": value.encode()}
        )
    assert_booth_error(answer, 400, "INVALID_QUERY")


@pytest.mark.parametrize("past", [0, 1, 10**6, 2**64 + 1])
async def test_past_the_end_of_a_finished_run_a_reader_gets_a_proper_end_and_nothing_twice(
    server, past
):
    async with client(server) as http:
        run_id, token, count = await _finished_run(http)
        resumed = await asyncio.wait_for(
            post_stream(
                http,
                f"/api/runs/{run_id}/events",
                {},
                method="GET",
                headers={**token, "Last-Event-ID": str(count + past)},
            ),
            timeout=10,
        )
    assert resumed.status_code == 200
    assert resumed.events == []  # the terminal event was already seen: not sent a second time


async def test_past_the_end_of_a_live_run_a_reader_gets_the_rest_and_one_end(server):
    async with client(server) as http:
        async with aconnect_sse(
            http, "POST", "/test/stream", json={"query": "still going", "delay": 0.1}
        ) as first:
            run_id = first.response.headers["x-run-id"]
            token = {"X-Session-Token": first.response.headers["x-session-token"]}
            events = first.aiter_sse()
            await anext(events)
            rest = await asyncio.wait_for(
                post_stream(
                    http,
                    f"/api/runs/{run_id}/events",
                    {},
                    method="GET",
                    headers={**token, "Last-Event-ID": "999999"},
                ),
                timeout=30,
            )
            owner = [sse.event async for sse in events]
    assert rest.status_code == 200
    assert rest.types.count("complete") == 1 and rest.types[-1] == "complete"
    ids = [int(e["id"]) for e in rest.events]
    assert ids == list(range(ids[0], ids[0] + len(ids)))
    assert owner.count("complete") == 1


async def test_on_redis_bad_and_huge_last_event_ids_are_answered_not_raised(redis_url):
    settings = Settings(store=redis_url, ui=False)
    server = ThreadServer(create_app(settings, routers=[create_router])).start()
    try:
        async with client(server) as http:
            run_id, token, count = await _finished_run(http)
            negative = await http.get(
                f"/api/runs/{run_id}/events", headers={**token, "Last-Event-ID": "-3"}
            )
            huge = await post_stream(
                http,
                f"/api/runs/{run_id}/events",
                {},
                method="GET",
                headers={**token, "Last-Event-ID": str(2**64 + 1)},
            )
            middle = await post_stream(
                http,
                f"/api/runs/{run_id}/events",
                {},
                method="GET",
                headers={**token, "Last-Event-ID": str(count - 2)},
            )
    finally:
        server.stop()
    assert_booth_error(negative, 400, "INVALID_QUERY")
    assert huge.status_code == 200 and huge.events == []
    assert [int(e["id"]) for e in middle.events] == [count - 1, count]
    assert middle.types[-1] == "complete"
