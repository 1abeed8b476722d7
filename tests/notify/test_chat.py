"""What Slack and Mattermost receive: their own formatting, and the title once."""

from __future__ import annotations

from dataclasses import replace

from devday.notify.chat import mrkdwn
from devday.notify.delivery import Outgoing, WebhookSender
from devday.notify.models import ChannelKind
from tests.notify.support import WebhookReceiver

REPORT = Outgoing(
    delivery_id="0f3c2a9b8d7e4f60a1b2c3d4e5f60718",
    kind=ChannelKind.slack,
    target="",
    secret="s" * 64,
    subject="End of day: Alice, Mon 30 Nov",
    text=(
        "**End of day: Alice, Mon 30 Nov 2026**\n"
        "\n"
        "Done (2):\n"
        "- #7 Ship the **rate limit** (1h 30m)\n"
        "- #8 [The docs](https://docs.example.com/a?b=1&c=2): R&D <draft>\n"
        "\n"
        "Blockers: none\n"
    ),
    html=None,
    payload={},
)


def post(receiver: WebhookReceiver, *messages: Outgoing) -> list[object]:
    sender = WebhookSender(timeout=5)
    try:
        for message in messages:
            sender.deliver(replace(message, target=f"{receiver.url}/{message.kind}"))
    finally:
        sender.close()
    return [r.json() for r in receiver.received]


def test_it_sends_slack_mrkdwn_with_the_title_once(receiver: WebhookReceiver) -> None:
    [payload] = post(receiver, REPORT)
    assert payload == {
        "text": "*End of day: Alice, Mon 30 Nov 2026*\n"
        "\n"
        "Done (2):\n"
        "• #7 Ship the *rate limit* (1h 30m)\n"
        "• #8 <https://docs.example.com/a?b=1&amp;c=2|The docs>: R&amp;D &lt;draft&gt;\n"
        "\n"
        "Blockers: none"
    }


def test_it_sends_mattermost_markdown_with_the_title_once(receiver: WebhookReceiver) -> None:
    [payload] = post(receiver, replace(REPORT, kind=ChannelKind.mattermost))
    assert payload == {"text": REPORT.text.strip()}


def test_it_puts_the_subject_in_bold_when_the_text_does_not_say_it(
    receiver: WebhookReceiver,
) -> None:
    test = replace(
        REPORT, subject="devday test: #ops", text="**Hello** from [devday](https://d.example.com/)."
    )
    slack, mattermost = post(receiver, test, replace(test, kind=ChannelKind.mattermost))
    assert slack == {"text": "*devday test: #ops*\n*Hello* from <https://d.example.com/|devday>."}
    assert mattermost == {
        "text": "**devday test: #ops**\n**Hello** from [devday](https://d.example.com/)."
    }


def test_it_writes_headings_numbered_lists_quotes_and_code_in_mrkdwn() -> None:
    text = "# Plan\n\n1. first _step_\n2. `make test`\n\n> careful\n\n```\na < b\n```"
    assert mrkdwn(text) == (
        "*Plan*\n\n1. first _step_\n2. `make test`\n\n> careful\n\n```\na &lt; b\n```"
    )
