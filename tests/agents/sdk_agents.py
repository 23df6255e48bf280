"""A real OpenAI Agents SDK agent for the hosting tests, and the model server's side of it.

The agent has one tool, `note_word`. The loopback model (tests/support/openai_server.py) is
stateless: it calls the tool when the user states a code word, thanks after the tool's answer,
and otherwise answers from the conversation the SDK sent it - so a follow-up "remembers" only
what booth's session gave back to the SDK.
"""

from __future__ import annotations

import json
import re

from agents import Agent, OpenAIChatCompletionsModel, function_tool
from openai import AsyncOpenAI

from tests.support.openai_server import ChatCall, Reply

MODEL = "test-model"
STATED = re.compile(r"code word is (\S+)")


@function_tool
def note_word(word: str) -> str:
    """Write down the user's code word."""
    return f"noted {word}"


def build_agent(base_url: str) -> Agent:
    model = OpenAIChatCompletionsModel(
        model=MODEL, openai_client=AsyncOpenAI(base_url=base_url, api_key="test", max_retries=0)
    )
    return Agent(
        name="keeper",
        instructions="Remember the user's code word and tell it back when asked.",
        model=model,
        tools=[note_word],
    )


def keeper_model(call: ChatCall) -> str | Reply:
    last = call.messages[-1]
    if last.get("role") == "tool":
        return f"Thanks, I {last.get('content')}."
    stated = STATED.search(call.last_user_text)
    if stated:
        arguments = json.dumps({"word": stated.group(1)})
        tool_call = {
            "id": f"call_{stated.group(1)}",
            "type": "function",
            "function": {"name": "note_word", "arguments": arguments},
        }
        return Reply(tool_calls=[tool_call])
    earlier = STATED.findall(call.text)
    if earlier:
        return f"Your code word is {earlier[-1]}"
    return "You have not told me a code word."
