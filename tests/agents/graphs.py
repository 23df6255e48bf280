"""Small real LangGraph graphs the hosting tests serve (`module:attr` targets)."""

from __future__ import annotations

import asyncio
import operator
from typing import Annotated

from langchain_core.messages import AIMessage, AnyMessage
from langgraph.config import get_stream_writer
from langgraph.graph import END, START, StateGraph, add_messages
from typing_extensions import TypedDict


class Memo(TypedDict, total=False):
    messages: Annotated[list[AnyMessage], add_messages]
    notes: Annotated[list[str], operator.add]


async def note(state: Memo) -> Memo:
    """Remember what the user said this turn."""
    write = get_stream_writer()
    said = state["messages"][-1].content
    write({"phase": "note", "message": "noting what you said"})
    write({"type": "reasoning", "content": f"{len(state.get('notes', []))} earlier notes"})
    return {"notes": [str(said)]}


async def reply(state: Memo) -> Memo:
    """Answer with everything this thread has noted, oldest first."""
    get_stream_writer()({"phase": "reply", "message": "answering"})
    notes = state["notes"]
    return {"messages": [AIMessage(f"Turn {len(notes)}. You said: " + " | ".join(notes))]}


def build_memo():
    builder = StateGraph(Memo)
    builder.add_node("note", note)
    builder.add_node("reply", reply)
    builder.add_edge(START, "note")
    builder.add_edge("note", "reply")
    builder.add_edge("reply", END)
    return builder.compile()


memo = build_memo()


async def explode(state: Memo) -> Memo:
    raise RuntimeError("this node always fails")


def build_broken():
    builder = StateGraph(Memo)
    builder.add_node("explode", explode)
    builder.add_edge(START, "explode")
    builder.add_edge("explode", END)
    return builder.compile()


broken = build_broken()


class Slow(TypedDict, total=False):
    messages: Annotated[list[AnyMessage], add_messages]
    seconds: float


async def linger(state: Slow) -> Slow:
    """Take `seconds` (the runtime's deadline and disconnects must be able to stop it)."""
    get_stream_writer()({"phase": "linger", "message": f"waiting {state.get('seconds', 0)} s"})
    await asyncio.sleep(state.get("seconds", 0))
    return {"messages": [AIMessage("done waiting")]}


def build_slow():
    builder = StateGraph(Slow)
    builder.add_node("linger", linger)
    builder.add_edge(START, "linger")
    builder.add_edge("linger", END)
    return builder.compile()


slow = build_slow()
