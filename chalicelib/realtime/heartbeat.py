"""Websocket heartbeats: `ping` is answered with `pong`.

API Gateway closes a connection after 10 idle minutes, so clients ping every few minutes;
the reply also lets them measure the round trip.
"""

from __future__ import annotations

from chalicelib.realtime.dispatch import MessageContext, MessageRouter, Reply
from chalicelib.realtime.protocol import InboundMessage


def register(router: MessageRouter) -> None:
    router.handles("ping")(pong)


def pong(context: MessageContext, message: InboundMessage) -> Reply:
    return message.reply("pong")
