"""Turning a model's token stream into `response` events at a rate a browser can use.

A model on the network sends a token every few tens of milliseconds, and each becomes its own
event. A model on the same machine can send hundreds at once; one event per token would then cost
more than the tokens. `coalesced` passes a token on at once when the last one went out at least
`interval` seconds ago, and otherwise joins it with the next (so a held token waits at most for
the next one, or the end of the stream).
"""

from __future__ import annotations

import time
from collections.abc import AsyncGenerator, AsyncIterator

RESPONSE_INTERVAL = 0.015  # seconds: tokens closer together than this share one event


async def coalesced(
    chunks: AsyncIterator[str], interval: float = RESPONSE_INTERVAL
) -> AsyncGenerator[str, None]:
    pending: list[str] = []
    last = float("-inf")
    try:
        async for chunk in chunks:
            pending.append(chunk)
            now = time.monotonic()
            if now - last >= interval:
                yield "".join(pending)
                pending.clear()
                last = now
    except Exception:
        if pending:  # what arrived before the failure still belongs to the answer
            yield "".join(pending)
        raise
    if pending:
        yield "".join(pending)
