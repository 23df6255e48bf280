"""Hosting agents on booth: the app interface, and adapters for LangGraph and the Agents SDK."""
