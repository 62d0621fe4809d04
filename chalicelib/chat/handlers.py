"""The chat's websocket messages.

    chat.send {client_id, text, consultation_id?}
        → chat.sent {client_id, message} to the sender; chat.message {message} to every
          other member's connection (and the sender's own other connections)
    chat.history {before?, consultation_id?}
        → chat.history {consultation_id, messages (oldest first), before (cursor)|null}

A participant's connection belongs to one consultation; a clinician's connection belongs
to the clinic, so a clinician names the consultation. Refusals are error frames:
`invalid_field` (`reason` `empty` or `too_long` for the text), `rate_limited`,
`not_a_member`, `not_found`.
"""

from __future__ import annotations

from typing import Any

from chalicelib.auth.principals import Principal
from chalicelib.chat.delivery import deliver
from chalicelib.chat.frames import message_body, message_frame
from chalicelib.chat.members import Member, member_of, require_readable
from chalicelib.chat.messages import ChatBook
from chalicelib.errors import InvalidField
from chalicelib.realtime.connections import ConnectionRegistry
from chalicelib.realtime.dispatch import MessageContext, MessageRouter, Reply
from chalicelib.realtime.protocol import InboundMessage
from chalicelib.realtime.push import Pusher
from chalicelib.store.models import Connection

MAX_CONSULTATION_ID = 64


class ChatHandlers:
    def __init__(self, *, book: ChatBook, pusher: Pusher, registry: ConnectionRegistry) -> None:
        self._book = book
        self._pusher = pusher
        self._registry = registry

    def register(self, router: MessageRouter) -> None:
        router.handles("chat.send")(self.send)
        router.handles("chat.history")(self.history)

    def send(self, context: MessageContext, message: InboundMessage) -> Reply:
        member = _member(context.connection, message.data)
        sent = self._book.send(
            member,
            client_id=message.data.get("client_id"),
            text=message.data.get("text"),
            sender=context.connection.connection_id,
        )
        if sent.created:
            self.deliver(
                member, message_frame(sent.message), excluding=context.connection.connection_id
            )
        return message.reply(
            "chat.sent", client_id=sent.message.client_id, message=message_body(sent.message)
        )

    def history(self, context: MessageContext, message: InboundMessage) -> Reply:
        member = _member(context.connection, message.data)
        require_readable(member)
        page = self._book.history(member.consultation_id, message.data.get("before"))
        return message.reply(
            "chat.history",
            consultation_id=member.consultation_id,
            messages=[message_body(item) for item in page.messages],
            before=page.before,
        )

    def deliver(
        self, member: Member, frame: dict[str, Any], *, excluding: str | None = None
    ) -> int:
        """Push to the consultation's members (but `excluding`, a sender that gets its ack)."""
        return deliver(
            self._pusher, self._registry, member.consultation, frame, excluding=excluding
        )


def _member(connection: Connection, data: dict[str, Any]) -> Member:
    consultation_id = data.get("consultation_id")
    if consultation_id is not None and not (
        isinstance(consultation_id, str) and 0 < len(consultation_id) <= MAX_CONSULTATION_ID
    ):
        raise InvalidField("consultation_id", "'consultation_id' must be a short string")
    return member_of(connection_principal(connection), consultation_id)


def connection_principal(connection: Connection) -> Principal:
    return Principal(
        kind="participant" if connection.principal_kind == "participant" else "clinician",
        id=connection.principal_id,
        clinic_id=connection.clinic_id,
        consultation_id=connection.consultation_id,
    )
