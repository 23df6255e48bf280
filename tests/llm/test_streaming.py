"""Coalescing a token stream: live for a network model, few events for a local one."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest

from booth.llm.streaming import coalesced


async def tokens(
    words: list[str], gap: float = 0.0, fail_after: int | None = None
) -> AsyncIterator[str]:
    for index, word in enumerate(words):
        if fail_after is not None and index == fail_after:
            raise ConnectionError("cut")
        if gap:
            await asyncio.sleep(gap)
        yield word


async def collect(stream: AsyncIterator[str]) -> list[str]:
    return [chunk async for chunk in stream]


async def test_tokens_that_arrive_at_once_share_few_events():
    words = [f"w{i} " for i in range(200)]
    chunks = await collect(coalesced(tokens(words), interval=10.0))
    assert "".join(chunks) == "".join(words)
    assert chunks[0] == "w0 " and len(chunks) == 2  # the first at once, the rest at the end


async def test_spaced_tokens_each_go_out_at_once():
    words = ["a ", "b ", "c ", "d "]
    assert await collect(coalesced(tokens(words, gap=0.03), interval=0.01)) == words


async def test_text_before_a_failure_is_passed_on_then_the_failure():
    received: list[str] = []
    with pytest.raises(ConnectionError):
        async for chunk in coalesced(tokens(["a ", "b ", "c "], fail_after=2), interval=10.0):
            received.append(chunk)
    assert "".join(received) == "a b "
