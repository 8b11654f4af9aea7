"""Thin rasa-sdk actions: each reads the tracker, calls `bot`, and says the result."""

from actions import answers, ask, extract, form, recommend, service  # noqa: F401  (registers actions)
