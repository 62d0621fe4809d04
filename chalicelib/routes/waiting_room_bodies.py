"""The waiting room's request and answer bodies, each written once as a msgspec Struct.

Participants' routes (`chalicelib.routes.waiting_room`) and the clinician's waiting-room
actions (`chalicelib.routes.waiting_room_actions`) take and return these; the OpenAPI
document is generated from them. Shapes follow the issue-9 contract (tools/contract.md).
"""

from __future__ import annotations

from typing import Annotated, Literal

from msgspec import Meta, Struct

from chalicelib.i18n.languages import Language
from chalicelib.store.enums import (
    JoinWith,
    Light,
    ParticipantRole,
    Presence,
)

Timestamp = Annotated[str, Meta(extra_json_schema={"format": "date-time"})]
Measure = Annotated[float, Meta(ge=0, le=1_000_000)]
#: A speaker that could not be tested (no output choice, or the patient skipped it).
SpeakerLight = Literal["green", "orange", "red", "untested"]
Step = Literal["terms", "device_check", "waiting", "call", "ended", "cancelled"]
RoomStatus = Literal["scheduled", "cancelled", "ended"]

# --- requests ---------------------------------------------------------------------------


class DeviceCheckBody(Struct, kw_only=True, forbid_unknown_fields=True):
    """`POST /api/participant/device-check`: the page's verdicts and measures."""

    camera: Light
    microphone: Light
    speaker: SpeakerLight
    connection: Light
    rtt_ms: Measure | None = None
    jitter_ms: Measure | None = None
    loss_percent: Annotated[float, Meta(ge=0, le=100)] | None = None
    bitrate_kbps: Measure | None = None
    join_with: JoinWith


class NotifyWhenCalledBody(Struct, kw_only=True, forbid_unknown_fields=True):
    """`PUT /api/participant/notify-when-called`: "close the page, we'll text you"."""

    enabled: bool


class LanguageBody(Struct, kw_only=True, forbid_unknown_fields=True):
    """`PUT /api/participant/language`: the switcher."""

    language: Language


class DelayBody(Struct, kw_only=True, forbid_unknown_fields=True):
    """`POST /api/consultations/{id}/delay`: "running late"."""

    minutes: Annotated[int, Meta(ge=1, le=240)]
    text: Annotated[str, Meta(max_length=160)] | None = None


ParticipantId = Annotated[str, Meta(min_length=1, max_length=64)]


class StartBody(Struct, kw_only=True, forbid_unknown_fields=True):
    """`POST /api/consultations/{id}/start` (the body is optional): ring in a mode, whom
    (default: everyone waiting), and whether to text them their link now."""

    mode: JoinWith = JoinWith.VIDEO
    participant_ids: Annotated[list[ParticipantId], Meta(min_length=1, max_length=4)] | None = None
    text: bool = False


# --- answers ----------------------------------------------------------------------------


class DeviceCheckAnswer(Struct, kw_only=True):
    camera: Light
    microphone: Light
    speaker: SpeakerLight
    connection: Light
    rtt_ms: float | None
    jitter_ms: float | None
    loss_percent: float | None
    bitrate_kbps: float | None
    checked_at: Timestamp


class MeAnswer(Struct, kw_only=True):
    participant_id: str
    role: ParticipantRole
    display_name: str
    language: Language
    presence: Presence
    waiting_since: Timestamp | None
    notify_when_called: bool
    device_check: DeviceCheckAnswer | None
    join_with: JoinWith | None


class MeOnlyAnswer(Struct, kw_only=True):
    me: MeAnswer


class RoomClinicAnswer(Struct, kw_only=True):
    name: str
    time_zone: str


class RoomConsultationAnswer(Struct, kw_only=True):
    consultation_id: str
    starts_at: Timestamp
    duration_minutes: int
    time_zone: str
    status: RoomStatus
    join_opens_at: Timestamp
    joining_open: bool
    #: +1 with each "Start" (0: not called in yet); an addition to the contract.
    call_number: int
    #: The current call (issue 11): its mode, whether it rang this participant, the end.
    call_mode: JoinWith | None
    rung: bool
    ended_at: Timestamp | None


class RoomClinicianAnswer(Struct, kw_only=True):
    display_name: str


class ShownTermsAnswer(Struct, kw_only=True):
    version: int
    language: Language
    text: str
    sha256: str
    accepted: bool


class DelayAnswer(Struct, kw_only=True):
    minutes: int
    text: str | None
    announced_at: Timestamp


class EstimateAnswer(Struct, kw_only=True):
    """The wait, as a range in minutes ("about 5 to 10 minutes")."""

    low_minutes: int
    high_minutes: int


class AuthorAnswer(Struct, kw_only=True):
    kind: Literal["participant", "clinician"]
    id: str
    display_name: str | None
    role: str | None


class AttachmentAnswer(Struct, kw_only=True):
    file_id: str | None
    file_name: str | None
    content_type: str
    size_bytes: int


class ChatMessageAnswer(Struct, kw_only=True):
    """A chat message, as the websocket's `chat.message` frames carry it."""

    message_id: str
    consultation_id: str
    client_id: str | None
    sent_at: Timestamp
    #: What `chat.history {before}` and `POST .../chat/read {through}` take for this message.
    cursor: str
    author: AuthorAnswer
    text: str | None
    attachment: AttachmentAnswer | None


class RoomChatAnswer(Struct, kw_only=True):
    """The latest chat messages, oldest first; `before` pages back (`chat.history`) when
    there may be older ones, else null."""

    messages: list[ChatMessageAnswer]
    before: str | None


class WaitingRoomAnswer(Struct, kw_only=True):
    """`GET /api/participant/waiting-room`: everything the patient page shows."""

    clinic: RoomClinicAnswer
    consultation: RoomConsultationAnswer
    clinicians: list[RoomClinicianAnswer]
    me: MeAnswer
    terms: ShownTermsAnswer
    delay: DelayAnswer | None
    estimate: EstimateAnswer | None
    step: Step
    #: The last 50 chat messages (issue 10), from the same Query.
    chat: RoomChatAnswer
    #: The clinic's setting: whether the chat stays visible once the consultation ended.
    chat_after_end: bool


class StartAnswer(Struct, kw_only=True):
    """`POST /api/consultations/{id}/start`: the call number, who was rung and texted."""

    call_number: int
    texted: list[str]
    rung: list[str]
    mode: JoinWith


class DelayCreatedAnswer(Struct, kw_only=True):
    delay: DelayAnswer


class WaitingSummaryAnswer(Struct, kw_only=True):
    """One participant's place on the way in, as the clinic's day list shows it."""

    participant_id: str
    role: ParticipantRole
    presence: Presence
    waiting_since: Timestamp | None
    device_check: DeviceCheckAnswer | None
    join_with: JoinWith | None = None
    notify_when_called: bool = False


class RefusalDetail(Struct, kw_only=True):
    code: str
    message: str
    join_opens_at: Timestamp | None = None
    status: RoomStatus | None = None


class RefusalAnswer(Struct, kw_only=True):
    """A waiting-room refusal: `message` is in the participant's language."""

    error: RefusalDetail
