"""Sending a digest to one channel through Apprise — never a hand-written channel.

A channel is an Apprise URL (dingtalk://…, wecombot://…, mailtos://…, json://… — see
https://appriseit.com/services/). Each is sent to on its own, so each has its own outcome:
``send`` returns None when the channel took the message, else why not (Apprise's own words,
secrets masked). Records and logs name a channel by its URL in Apprise's privacy form
(passwords and tokens shortened) and by the SHA-256 of its URL, never by the URL itself.
"""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass, field

from govwatch.config import apprise_plugin
from notify.digest import Digest

# URL arguments Apprise adds to every URL it prints (its defaults): noise in a record
_GENERIC_ARGS = {"format", "overflow", "retry", "wait", "optional", "cto", "rto", "verify",
                 "method", "emojis", "store", "tz"}


@dataclass(frozen=True)
class Channel:
    """A recipient: its URL (secret: never shown), how records show it, and its key."""

    url: str = field(repr=False)
    masked: str
    key: str
    markdown: bool  # the channel renders Markdown or HTML (DingTalk ?format=markdown, e-mail)


@dataclass(frozen=True)
class Message:
    """What is sent to one channel: the digest's title and its body as that channel reads
    it."""

    title: str
    body: str
    markdown: bool


def channel(url: str) -> Channel:
    """The channel of a notification URL (``ValueError`` when Apprise cannot use it — the
    config check refuses such URLs first)."""
    from apprise import NotifyFormat

    plugin = apprise_plugin(url)
    return Channel(url=url, masked=_readable(plugin.url(privacy=True)),
                   key=hashlib.sha256(url.encode("utf-8")).hexdigest(),
                   markdown=plugin.notify_format in (NotifyFormat.MARKDOWN, NotifyFormat.HTML))


def _readable(masked: str) -> str:
    """Apprise's privacy URL without the arguments it prints for every URL."""
    head, found, query = masked.partition("?")
    kept = [arg for arg in query.split("&") if arg and arg.partition("=")[0] not in _GENERIC_ARGS]
    return head.rstrip("/") + (f"?{'&'.join(kept)}" if found and kept else "")


def message(target: Channel, digest: Digest) -> Message:
    """The digest as the channel reads it: Markdown where it renders Markdown or HTML."""
    if target.markdown:
        return Message(digest.title, digest.markdown(), markdown=True)
    return Message(digest.title, digest.text(), markdown=False)


def send(target: Channel, sent: Message) -> str | None:
    """Send ``sent`` to the channel: None when it was taken, else the reason it was not."""
    import apprise

    notifier = apprise.Apprise()
    if not notifier.add(target.url):
        return "Apprise 无法使用此地址（请运行 govwatch config check）"
    body_format = apprise.NotifyFormat.MARKDOWN if sent.markdown else apprise.NotifyFormat.TEXT
    with apprise.LogCapture(level=logging.WARNING, fmt="%(message)s") as captured:
        try:
            ok = notifier.notify(body=sent.body, title=sent.title, body_format=body_format)
        except Exception as exc:  # a plugin's own failure is this channel's, not the run's
            return f"{type(exc).__name__}: {exc}"
        said = captured.getvalue()
    if ok:
        return None
    reasons = [line.strip() for line in said.splitlines() if line.strip()]
    return "；".join(dict.fromkeys(reasons)) or "发送失败（Apprise 未说明原因）"
