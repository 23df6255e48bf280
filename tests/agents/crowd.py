"""Many users at once against one hosted agent, two turns each, with a canary per user."""

from __future__ import annotations

import asyncio
import re
import uuid
from dataclasses import dataclass, field

import httpx

from tests.support.sse import Received, assert_well_formed, post_stream

CANARY = re.compile(r"zq[0-9a-f]{10}")


def new_canary() -> str:
    return f"zq{uuid.uuid4().hex[:10]}"


@dataclass
class Visitor:
    canary: str = field(default_factory=new_canary)
    turns: list[Received] = field(default_factory=list)
    session_id: str | None = None
    session_token: str | None = None

    def foreign(self, received: Received) -> set[str]:
        """Other users' canaries anywhere in a stream (events, data, everything)."""
        seen = set(CANARY.findall(str(received.events)))
        return seen - {self.canary}


async def two_turns(http: httpx.AsyncClient, path: str, visitor: Visitor, inputs) -> None:
    """Turn 1 carries the canary and opens the session; turn 2 follows up on it."""
    first, second = inputs(visitor.canary)
    got = await post_stream(http, path, {"input": first})
    visitor.turns.append(got)
    visitor.session_id = got.headers.get("x-session-id")
    visitor.session_token = got.headers.get("x-session-token")
    body = {"input": second, "session_id": visitor.session_id}
    headers = {"X-Session-Token": visitor.session_token or ""}
    visitor.turns.append(await post_stream(http, path, body, headers=headers))


async def crowd(http: httpx.AsyncClient, path: str, inputs, users: int = 30) -> list[Visitor]:
    visitors = [Visitor() for _ in range(users)]
    await asyncio.gather(*[two_turns(http, path, v, inputs) for v in visitors])
    for visitor in visitors:
        for received in visitor.turns:
            assert received.status_code == 200, received.body
            assert_well_formed(received)
            assert received.types.count("complete") == 1, received.types
            assert not visitor.foreign(received), "another user's canary leaked in"
    return visitors


async def wrong_token_is_refused(http: httpx.AsyncClient, path: str, visitor: Visitor, input):
    body = {"input": input, "session_id": visitor.session_id, "session_token": "not-the-token"}
    refused = await post_stream(http, path, body)
    assert refused.status_code == 403
    assert refused.body["error"]["code"] == "FORBIDDEN"
