from booth.core.events import Event, EventType


def test_an_event_encodes_as_one_sse_message_with_single_line_json():
    event = Event(3, EventType.THOUGHT, {"content": "line one\nline two", "n": 1})
    assert event.encode() == (
        'id: 3\nevent: thought\ndata: {"content":"line one\\nline two","n":1}\n\n'
    )


def test_only_complete_and_error_are_terminal():
    assert {t for t in EventType if Event(1, t, {}).terminal} == {
        EventType.COMPLETE,
        EventType.ERROR,
    }


def test_events_round_trip_through_dicts():
    event = Event(7, EventType.RESULT, {"score": 80})
    assert Event.from_dict(event.to_dict()) == event
