"""How a batch of events becomes the stream's writes."""

from booth.core.events import Event, EventType
from booth.core.payloads import ResponsePayload
from booth.core.sse import WRITE_LIMIT, writes


def chunk(seq: int, size: int) -> Event:
    return Event.of(seq, EventType.RESPONSE, ResponsePayload(chunk="x" * size))


def test_small_events_share_a_write():
    batch = [chunk(i, 10) for i in range(1, 6)]
    assert list(writes(batch)) == [b"".join(e.sse() for e in batch)]


def test_no_write_passes_the_limit_unless_one_message_does():
    batch = [chunk(1, 100), chunk(2, WRITE_LIMIT // 2), chunk(3, WRITE_LIMIT), chunk(4, 100)]
    sent = list(writes(batch))
    assert b"".join(sent) == b"".join(e.sse() for e in batch)  # every byte, in order
    assert len(sent) == 3
    assert all(len(w) <= WRITE_LIMIT for w in (sent[0], sent[2]))
    assert sent[1] == batch[2].sse()  # larger than the limit: a write of its own


def test_an_events_json_outlives_its_sse_message():
    event = chunk(1, 5)
    message = event.sse()
    assert event.json_bytes() == b'{"chunk":"xxxxx"}'
    assert message.endswith(b'data: {"chunk":"xxxxx"}\n\n')
