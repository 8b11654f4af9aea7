"""On Slack, Rasa handles a message in a background task; when the database or Redis is down the
founder must still hear about it, in the thread, in their language."""

from __future__ import annotations

import pytest
from rasa.core.channels.channel import UserMessage
from rasa.core.lock_store import LockError
from redis.exceptions import ConnectionError as RedisConnectionError

from bot.slack.channel import TROUBLE_EN, TROUBLE_SV, _telling_trouble
from bot.tracker_store import TrackerStoreUnavailable


class Thread:
    """The output channel of one Slack thread: what the bot posted."""

    def __init__(self, fails: bool = False) -> None:
        self.posts: list[tuple[str, str]] = []
        self.fails = fails

    async def send_text_message(self, recipient_id: str, text: str, **kwargs) -> None:
        if self.fails:
            raise RuntimeError("Slack is down too")
        self.posts.append((recipient_id, text))


def failing_with(exc: BaseException):
    async def on_new_message(message: UserMessage) -> None:
        raise exc

    return on_new_message


@pytest.mark.parametrize(
    "outage",
    [
        TrackerStoreUnavailable("tracker store unavailable while reading a conversation"),
        LockError("Error while acquiring lock."),
        RedisConnectionError("Connection refused"),
    ],
)
@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Vi gör en lampa i mässing och behöver hjälp", TROUBLE_SV),
        ("We make a brass lamp and need help with it", TROUBLE_EN),
        ("/affirm", f"{TROUBLE_SV}\n{TROUBLE_EN}"),  # a button says nothing of the language
    ],
)
async def test_an_outage_gets_an_apology_in_the_founders_thread(outage, text, expected):
    thread = Thread()
    handle = _telling_trouble(failing_with(outage))

    await handle(UserMessage(text, thread, "U123_C456_1700000000.000100"))

    assert thread.posts == [("U123_C456_1700000000.000100", expected)]


async def test_a_handled_message_gets_no_apology():
    thread = Thread()
    seen = []

    async def on_new_message(message: UserMessage) -> None:
        seen.append(message.text)

    await _telling_trouble(on_new_message)(UserMessage("hello", thread, "U1"))

    assert seen == ["hello"] and thread.posts == []


async def test_slack_down_as_well_is_logged_not_raised(caplog):
    handle = _telling_trouble(failing_with(LockError("no Redis")))

    await handle(UserMessage("hello", Thread(fails=True), "U1"))

    assert "could not tell the founder about the outage" in caplog.text


async def test_other_errors_are_left_to_rasa():
    with pytest.raises(ValueError):
        await _telling_trouble(failing_with(ValueError("a bug")))(UserMessage("hi", Thread(), "U1"))
