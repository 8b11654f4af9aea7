"""Thin rasa-sdk actions: each reads the tracker, calls `bot`, and says the result."""

import logging

from actions import answers, ask, extract, form, recommend, service  # noqa: F401  (registers actions)
from bot.interview import answer_model

# rasa-sdk warns for every form slot without a validate_<slot> method on every turn; our
# validation happens in action_extract_profile, so those warnings are noise.
logging.getLogger("rasa_sdk.forms").setLevel(logging.ERROR)

# Train the answer models while the action server starts, not on a founder's first answer.
answer_model.warm_up()
