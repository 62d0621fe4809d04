"""Builds the app's collaborators once, from the settings: the only factory of real objects.

`app.py` calls `install(app)`, which reads nothing: tools such as `chalice package` and the
CDK synth import `app.py` without the Lambda's environment. The first `services()` call (the
first invocation after a cold start) runs `configure`: it reads the settings once, reads the
secrets Secrets Manager holds for the stage (`read_secret`, through Powertools Parameters,
only when the settings name them) and the site's address from SSM when the settings name its
parameter instead of giving it (`read_parameter`), binds the models to the stage's tables, gives
`app.websocket_api` its session, and builds the services that handlers reach through
`services()`. Tests call `configure` with their own settings, clock and websocket sender.
"""

from __future__ import annotations

import os
import threading
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import boto3
from aws_lambda_powertools.utilities import parameters
from botocore.config import Config
from chalice import Chalice

from chalicelib.auth.clinician_sessions import SessionBook, active_clinician
from chalicelib.auth.magic_links import MagicLinks
from chalicelib.auth.rate_limits import RateLimiter
from chalicelib.auth.recent_devices import RecentDevices
from chalicelib.auth.tickets import TicketBook
from chalicelib.call.answering import CallAnswers
from chalicelib.call.audience import CallAudience
from chalicelib.call.ending import CallEnding
from chalicelib.call.exits import CallExits
from chalicelib.call.handlers import CallHandlers
from chalicelib.call.media_gate import MediaGate
from chalicelib.call.media_state import MediaStates
from chalicelib.call.record import VisitRecords
from chalicelib.chat.frames import message_frame
from chalicelib.chat.handlers import ChatHandlers
from chalicelib.chat.messages import ChatBook
from chalicelib.chat.unread import ReadMarks
from chalicelib.clinics.staff import ClinicianAccounts
from chalicelib.clock import Clock, SystemClock
from chalicelib.config import Settings
from chalicelib.consent.records import ConsentBook
from chalicelib.consent.terms import TermsEditor
from chalicelib.consultations.change_notices import ScheduleNotices
from chalicelib.consultations.invitations import Invitations
from chalicelib.consultations.roster import Participants
from chalicelib.consultations.schedule import Consultations
from chalicelib.consultations.screen_links import ScreenLinks
from chalicelib.errors import ConfigError
from chalicelib.files.attachments import Attachments
from chalicelib.files.storage import AttachmentStore
from chalicelib.media.client import MediaClient
from chalicelib.media.signaling import MediaSignaling
from chalicelib.media.turn import IceServerIssuer
from chalicelib.media.workers import MediaWorkerRegistry
from chalicelib.messaging.courier import Courier
from chalicelib.messaging.email import EmailSender
from chalicelib.messaging.ledger import DeliveryLedger
from chalicelib.messaging.sms import SmsSender
from chalicelib.messaging.whatsapp import WhatsAppSender
from chalicelib.participants.link_delivery import LinkIssuer
from chalicelib.participants.links import ParticipantLinks
from chalicelib.participants.standing import participant_standing
from chalicelib.realtime import heartbeat
from chalicelib.realtime.connections import ConnectionRegistry
from chalicelib.realtime.dispatch import MessageRouter
from chalicelib.realtime.management_api import ManagementApiSession
from chalicelib.realtime.push import Pusher, WebsocketSender
from chalicelib.reminders.sweep import Reminders
from chalicelib.store.tables import bind_models
from chalicelib.waiting_room.broadcast import RoomBroadcast
from chalicelib.waiting_room.clinic_actions import ClinicActions
from chalicelib.waiting_room.late_notices import LateNotices
from chalicelib.waiting_room.progress import DayProgress
from chalicelib.waiting_room.room import WaitingRoom


@dataclass(frozen=True, kw_only=True)
class Services:
    settings: Settings
    clock: Clock
    tickets: TicketBook
    connections: ConnectionRegistry
    pusher: Pusher
    router: MessageRouter
    media_workers: MediaWorkerRegistry
    media_client: MediaClient
    ice_servers: IceServerIssuer
    magic_links: MagicLinks
    sessions: SessionBook
    participant_links: ParticipantLinks
    consultations: Consultations
    courier: Courier
    invitations: Invitations
    participants: Participants
    screen_links: ScreenLinks
    reminders: Reminders
    recent_devices: RecentDevices
    clinician_accounts: ClinicianAccounts
    #: `room_broadcast.participant_state(consultation, participant)` pushes a participant's
    #: state to the consultation's participants and the clinic's staff.
    room_broadcast: RoomBroadcast
    waiting_room: WaitingRoom
    clinic_actions: ClinicActions
    late_notices: LateNotices
    consents: ConsentBook
    terms: TermsEditor
    chat: ChatBook
    attachments: Attachments
    read_marks: ReadMarks
    #: The call: `call_exits.dropped(connection)` on `$disconnect`; `call_ending.end`.
    call_exits: CallExits
    call_ending: CallEnding
    visit_records: VisitRecords


_app: Chalice | None = None
_services: Services | None = None
_first_use = threading.Lock()  # the local stack serves requests from several threads


def install(app: Chalice) -> None:
    """Remember the app; its services are built on first use, from the environment."""
    global _app, _services
    _app, _services = app, None


def configure(
    app: Chalice,
    settings: Settings | None = None,
    *,
    clock: Clock | None = None,
    websocket_sender: WebsocketSender | None = None,
    link_issuer: LinkIssuer | None = None,
    media_client: MediaClient | None = None,
) -> Services:
    """Build the services; tests pass a clock, a fake in place of `app.websocket_api` and
    a fake media worker client."""
    global _app, _services
    _app = app
    settings = (
        (settings or Settings.from_environ())
        .with_secrets(read_secret)
        .with_public_base_url(read_parameter)
    )
    clock = clock or SystemClock()
    bind_models(settings)
    websocket_api = app.websocket_api
    websocket_api.session = ManagementApiSession(
        endpoint_override=settings.websocket_management_endpoint, region_name=settings.region
    )
    if settings.websocket_api_id:
        websocket_api.configure_from_api_id(settings.websocket_api_id, settings.websocket_stage)
    connections = ConnectionRegistry(clock=clock)
    pusher = Pusher(websocket_api=websocket_sender or websocket_api, registry=connections)
    media_workers = MediaWorkerRegistry(clock=clock, pool=settings.media_pool)
    media_client = media_client or MediaClient(secret=settings.media_shared_secret)
    ice_servers = IceServerIssuer(
        secret=settings.turn_secret,
        turn_urls=settings.turn_urls,
        stun_urls=settings.stun_urls,
        clock=clock,
    )
    signaling = MediaSignaling(workers=media_workers, client=media_client, ice_servers=ice_servers)
    courier = build_courier(settings, clock)
    limiter = RateLimiter(clock=clock)
    chat = ChatBook(clock=clock, limiter=limiter)
    chat_handlers = ChatHandlers(book=chat, pusher=pusher, registry=connections)
    recent_devices = RecentDevices(clock=clock)
    participant_links = ParticipantLinks(clock=clock, public_base_url=settings.public_base_url)
    links = link_issuer or participant_links
    consultations = Consultations(
        clock=clock,
        retention=timedelta(days=settings.retention_days),
        notices=ScheduleNotices(courier=courier, links=links),
    )
    broadcast = RoomBroadcast(registry=connections, pusher=pusher)
    progress = DayProgress(broadcast=broadcast)
    audience = CallAudience(registry=connections, pusher=pusher)
    exits = CallExits(
        clock=clock,
        signaling=signaling,
        audience=audience,
        broadcast=broadcast,
        registry=connections,
    )
    gate = MediaGate(
        clock=clock, signaling=signaling, audience=audience, registry=connections, exits=exits
    )
    call_handlers = CallHandlers(
        answers=CallAnswers(clock=clock, broadcast=broadcast, audience=audience),
        exits=exits,
        media=MediaStates(clock=clock, audience=audience),
    )
    email_sender = (
        EmailSender(boto3.client("ses", region_name=settings.region), sender=settings.sender_email)
        if settings.sender_email
        else None
    )
    _services = Services(
        settings=settings,
        clock=clock,
        tickets=TicketBook(
            clock=clock,
            standing={"clinician": active_clinician, "participant": participant_standing},
        ),
        connections=connections,
        pusher=pusher,
        router=build_router(signaling, chat_handlers, gate, call_handlers),
        media_workers=media_workers,
        media_client=media_client,
        ice_servers=ice_servers,
        magic_links=MagicLinks(
            clock=clock,
            limiter=limiter,
            devices=recent_devices,
            email_sender=email_sender,
            public_base_url=settings.public_base_url,
        ),
        sessions=SessionBook(clock=clock),
        recent_devices=recent_devices,
        participant_links=participant_links,
        consultations=consultations,
        courier=courier,
        invitations=Invitations(consultations=consultations, courier=courier, links=links),
        participants=Participants(consultations=consultations, clock=clock),
        screen_links=ScreenLinks(consultations=consultations, links=links, clock=clock),
        reminders=Reminders(clock=clock, courier=courier, links=links),
        clinician_accounts=ClinicianAccounts(
            clock=clock, retention=timedelta(days=settings.retention_days)
        ),
        room_broadcast=broadcast,
        waiting_room=WaitingRoom(clock=clock, broadcast=broadcast, progress=progress),
        clinic_actions=ClinicActions(
            clock=clock, courier=courier, links=links, broadcast=broadcast, progress=progress
        ),
        late_notices=LateNotices(
            clock=clock,
            email=email_sender,
            sms=courier.sms_sender,
            public_base_url=settings.public_base_url,
        ),
        consents=ConsentBook(clock=clock),
        terms=TermsEditor(clock=clock),
        chat=chat,
        attachments=Attachments(
            store=build_attachment_store(settings),
            chat=chat,
            clock=clock,
            limiter=limiter,
            deliver=chat_handlers.deliver,
            frame_of=message_frame,
        ),
        read_marks=ReadMarks(pusher=pusher, registry=connections),
        call_exits=exits,
        call_ending=CallEnding(clock=clock, signaling=signaling, broadcast=broadcast),
        visit_records=VisitRecords(clock=clock),
    )
    return _services


def read_secret(name: str, max_age_seconds: int) -> str:
    """A Secrets Manager secret's string, through Powertools Parameters' cache."""
    value = parameters.get_secret(name, max_age=max_age_seconds)
    if not isinstance(value, str):
        raise ConfigError(f"the secret {name} must hold a string")
    return value


def read_parameter(name: str, max_age_seconds: int) -> str:
    """An SSM parameter's string, through Powertools Parameters' cache; a `ConfigError`
    naming the parameter when it is missing or unreadable."""
    try:
        value = parameters.get_parameter(name, max_age=max_age_seconds)
    except parameters.GetParameterError as error:
        raise ConfigError(f"the parameter {name} cannot be read: {error}") from None
    if not isinstance(value, str):
        raise ConfigError(f"the parameter {name} must hold a string")
    return value


def services() -> Services:
    if _services is not None:
        return _services
    with _first_use:
        if _services is not None:
            return _services
        if _app is None:
            raise RuntimeError("wiring.install(app) has not run")
        return configure(_app)


def build_router(
    signaling: MediaSignaling | None = None,
    chat: ChatHandlers | None = None,
    media_gate: MediaGate | None = None,
    call: CallHandlers | None = None,
) -> MessageRouter:
    """Every websocket message type the app answers, each registered by its module."""
    router = MessageRouter()
    heartbeat.register(router)
    for handlers in (signaling, chat, media_gate, call):
        if handlers is not None:
            handlers.register(router)
    return router


def build_attachment_store(settings: Settings) -> AttachmentStore | None:
    """The attachments bucket's adapter, or None when no bucket is configured.

    Presigned URLs must name the bucket's regional virtual-hosted address (the web's CSP
    allows exactly that origin); against an emulator (`AWS_ENDPOINT_URL`), path style.
    """
    if not settings.attachments_bucket:
        return None
    style = "path" if os.environ.get("AWS_ENDPOINT_URL") else "virtual"
    client = boto3.client(
        "s3",
        region_name=settings.region,
        config=Config(signature_version="s3v4", s3={"addressing_style": style}),
    )
    return AttachmentStore(client, bucket=settings.attachments_bucket)


def push_frame(connection_id: str, frame: dict[str, Any]) -> bool:
    """Send one frame to a connection with the configured pusher."""
    return services().pusher.push(connection_id, frame)


def build_courier(settings: Settings, clock: Clock, session: Any = None) -> Courier:
    """The real courier: boto3 clients for SNS, SES and End User Messaging Social."""
    session = session or boto3.session.Session(region_name=settings.region)
    return Courier(
        sms=SmsSender(session.client("sns")),
        email=(
            EmailSender(session.client("ses"), sender=settings.sender_email)
            if settings.sender_email
            else None
        ),
        whatsapp=WhatsAppSender(session.client("socialmessaging")),
        ledger=DeliveryLedger(clock=clock),
    )
