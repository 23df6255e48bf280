"""booth's model layer: one OpenAI-compatible provider, structured outputs, text streams.

Offline (no `BOOTH_LLM_BASE_URL`) nothing here is used and every app runs its deterministic
path. Online, a failed or invalid model step raises an `LLMError` and the caller falls back.
"""

from booth.llm.errors import LLMError, LLMInvalidOutput, LLMUnavailable
from booth.llm.install import config_from_settings, install_llm, llm_of
from booth.llm.messages import Message, conversation, data_block
from booth.llm.provider import LLMConfig, LLMProvider

__all__ = [
    "LLMConfig",
    "LLMError",
    "LLMInvalidOutput",
    "LLMProvider",
    "LLMUnavailable",
    "Message",
    "config_from_settings",
    "conversation",
    "data_block",
    "install_llm",
    "llm_of",
]
