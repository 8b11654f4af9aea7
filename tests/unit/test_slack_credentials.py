"""var/credentials.yml with the Slack channel when SLACK_* are set (bot/slack/credentials.py)."""

from __future__ import annotations

import stat

import pytest
import yaml

from bot.slack.credentials import CHANNEL, write_credentials


@pytest.fixture
def root(tmp_path):
    (tmp_path / "credentials.yml").write_text("rest:\n")
    return tmp_path


def test_without_slack_settings_the_credentials_are_unchanged(root):
    out = write_credentials(root, {}, out=root / "var" / "credentials.yml")
    assert yaml.safe_load(out.read_text()) == {"rest": None}


def test_token_and_secret_switch_the_channel_on_in_a_private_file(root):
    env = {
        "SLACK_BOT_TOKEN": "xoxb-1",
        "SLACK_SIGNING_SECRET": "s3cret",
        "SLACK_API_URL": "http://127.0.0.1:9/api",
    }

    out = write_credentials(root, env, out=root / "var" / "credentials.yml")

    settings = yaml.safe_load(out.read_text())
    assert settings["rest"] is None
    assert settings[CHANNEL] == {
        "slack_token": "xoxb-1",
        "slack_signing_secret": "s3cret",
        "conversation_granularity": "thread",
        "use_threads": True,
        "slack_api_url": "http://127.0.0.1:9/api/",
    }
    assert stat.S_IMODE(out.stat().st_mode) == 0o600


def test_the_default_api_is_slacks(root):
    out = write_credentials(
        root, {"SLACK_BOT_TOKEN": "x", "SLACK_SIGNING_SECRET": "y"}, out=root / "c.yml"
    )
    assert yaml.safe_load(out.read_text())[CHANNEL]["slack_api_url"] == "https://slack.com/api/"


@pytest.mark.parametrize(
    ("env", "missing"),
    [
        ({"SLACK_BOT_TOKEN": "x"}, "SLACK_SIGNING_SECRET"),
        ({"SLACK_SIGNING_SECRET": "y"}, "SLACK_BOT_TOKEN"),
    ],
)
def test_half_a_slack_configuration_is_refused_and_nothing_is_written(root, env, missing):
    out = root / "var" / "credentials.yml"
    with pytest.raises(ValueError, match=f"{missing} is not set"):
        write_credentials(root, env, out=out)
    assert not out.exists()
