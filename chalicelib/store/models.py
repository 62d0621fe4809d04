"""PynamoDB models: the one description of Vestibule's DynamoDB tables.

The local stack, the tests and the infrastructure all derive the tables from these classes
(`chalicelib.store.tables`). The access patterns they serve are written down in
`docs/data-model.md`; in short:

* consultations: one partition per consultation holds the consultation, its clinician
  assignments, participants and chat, so the waiting room loads in one Query. Two GSIs
  give a clinic's day and a clinician's day; a sparse GSI finds due reminders and
  notifications without a Scan.
* connections: a websocket connection by id is one GetItem; GSIs list a consultation's and
  a clinic's live connections for fan-out.
* link_tokens, clinics, clinicians, terms, consents, audit_events, media_workers, rate_limits: one
  job each.

Every item that holds personal data carries `expires_at`, the table's TTL attribute.
Table names here are base names; `chalicelib.store.tables.bind_models` prefixes them per stage.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from pynamodb.attributes import (
    BooleanAttribute,
    DiscriminatorAttribute,
    ListAttribute,
    MapAttribute,
    NumberAttribute,
    TTLAttribute,
    UnicodeAttribute,
    UTCDateTimeAttribute,
)
from pynamodb.indexes import AllProjection, GlobalSecondaryIndex, IncludeProjection
from pynamodb.models import Model

from chalicelib.store.enums import ConsultationStatus

#: Patient plus up to three guests (family member, interpreter, second professional).
MAX_PARTICIPANTS = 4
#: Chat messages the waiting room shows when it first loads.
RECENT_CHAT_MESSAGES = 50


class _Meta:
    billing_mode = "PAY_PER_REQUEST"


def day_key(owner_id: str, day: date) -> str:
    """Partition key of a clinic's or clinician's day: `<id>#<YYYY-MM-DD>` (local date)."""
    return f"{owner_id}#{day.isoformat()}"


def due_day_key(moment: datetime) -> str:
    """Partition key of the due-work index: the UTC date of the moment work falls due."""
    return moment.date().isoformat()


# --- clinics and clinicians -------------------------------------------------------------


class ClinicSettings(MapAttribute[str, Any]):
    """A clinic's own choices; every field has the product's default."""

    join_opens_minutes_before = NumberAttribute(default=10)
    reminder_lead_minutes = NumberAttribute(default=10)
    late_notice_interval_minutes = NumberAttribute(default=2)
    link_grace_minutes = NumberAttribute(default=60)
    #: How the clinician hears that a patient is still waiting after the appointment time:
    #: "email" (the default) or "sms" (to clinicians with a `phone`; email for the others).
    late_notice_channel = UnicodeAttribute(default="email")
    #: Whether participants still see the chat after the consultation ended.
    chat_after_end = BooleanAttribute(default=True)
    #: AWS End User Messaging Social phone number id; WhatsApp is offered only when set.
    whatsapp_phone_number_id = UnicodeAttribute(null=True)


class Clinic(Model):
    class Meta(_Meta):
        table_name = "clinics"

    clinic_id = UnicodeAttribute(hash_key=True)
    name = UnicodeAttribute()
    time_zone = UnicodeAttribute()
    default_language = UnicodeAttribute(default="en")
    settings = ClinicSettings(default=ClinicSettings)
    created_at = UTCDateTimeAttribute()
    #: The clinic's current terms (`ClinicTerms.version`); 0 = the catalogues' default text.
    terms_version = NumberAttribute(default=0)


class ClinicianByEmail(GlobalSecondaryIndex["Clinician"]):
    """Magic-link sign-in finds a clinician by normalised email."""

    class Meta:
        index_name = "by_email"
        projection = AllProjection()

    email = UnicodeAttribute(hash_key=True)


class CliniciansOfClinic(GlobalSecondaryIndex["Clinician"]):
    class Meta:
        index_name = "by_clinic"
        projection = AllProjection()

    clinic_id = UnicodeAttribute(hash_key=True)
    display_name = UnicodeAttribute(range_key=True)


class Clinician(Model):
    class Meta(_Meta):
        table_name = "clinicians"

    clinician_id = UnicodeAttribute(hash_key=True)
    clinic_id = UnicodeAttribute()
    email = UnicodeAttribute()
    display_name = UnicodeAttribute()
    language = UnicodeAttribute(default="en")
    active = BooleanAttribute(default=True)
    created_at = UTCDateTimeAttribute()
    #: E.164, set by the clinician for SMS late notices; personal data, never logged.
    phone = UnicodeAttribute(null=True)
    #: Set when the account is deactivated: the personal data then leaves after retention.
    expires_at = TTLAttribute(null=True)

    by_email = ClinicianByEmail()
    by_clinic = CliniciansOfClinic()


# --- one partition per consultation -----------------------------------------------------


class ClinicDayIndex(GlobalSecondaryIndex["ConsultationItem"]):
    """A clinic's consultations on one local day, in start order (the dashboard)."""

    class Meta:
        index_name = "by_clinic_day"
        projection = AllProjection()

    clinic_day = UnicodeAttribute(hash_key=True)
    starts_at = UTCDateTimeAttribute(range_key=True)


class ClinicianDayIndex(GlobalSecondaryIndex["ConsultationItem"]):
    """A clinician's assignments on one local day, in start order."""

    class Meta:
        index_name = "by_clinician_day"
        projection = AllProjection()

    clinician_day = UnicodeAttribute(hash_key=True)
    starts_at = UTCDateTimeAttribute(range_key=True)


class DueWorkIndex(GlobalSecondaryIndex["ConsultationItem"]):
    """Sparse: only items with scheduled work (a reminder, a late notice) appear here.

    The sweeper queries today's and yesterday's `due_day` for `due_at <= now`; handling
    the work removes or moves the two attributes, so the index holds only pending work.
    """

    class Meta:
        index_name = "by_due_work"
        projection = IncludeProjection(["kind"])

    due_day = UnicodeAttribute(hash_key=True)
    due_at = UTCDateTimeAttribute(range_key=True)


class ConsultationItem(Model):
    """Base of every item in a consultation's partition; `kind` tells which one it is."""

    class Meta(_Meta):
        table_name = "consultations"

    pk = UnicodeAttribute(hash_key=True)
    sk = UnicodeAttribute(range_key=True)
    kind = DiscriminatorAttribute()
    expires_at = TTLAttribute(null=True)

    clinic_day = UnicodeAttribute(null=True)
    clinician_day = UnicodeAttribute(null=True)
    starts_at = UTCDateTimeAttribute(null=True)
    due_day = UnicodeAttribute(null=True)
    due_at = UTCDateTimeAttribute(null=True)

    by_clinic_day = ClinicDayIndex()
    by_clinician_day = ClinicianDayIndex()
    by_due_work = DueWorkIndex()

    @staticmethod
    def partition(consultation_id: str) -> str:
        return f"CONSULTATION#{consultation_id}"


# Sort keys are chosen so that a descending Query of the partition returns participants,
# then the consultation, then chat from newest to oldest, then the rest (chat send receipts,
# file uploads, assignments): "PARTICIPANT#" > "CONSULTATION" > "CHAT#" > "AUTHORED#" >
# "ATTACHMENT#" > "ASSIGNED#" > "CALL#". Anything new must sort below "CHAT#", or the
# waiting room's limited Query would lose chat messages to it.
CONSULTATION_SK = "CONSULTATION"
PARTICIPANT_SK_PREFIX = "PARTICIPANT#"
CHAT_SK_PREFIX = "CHAT#"
CHAT_RECEIPT_SK_PREFIX = "AUTHORED#"
FILE_UPLOAD_SK_PREFIX = "ATTACHMENT#"
ASSIGNED_SK_PREFIX = "ASSIGNED#"
#: The visit record: one item per call member ("CALL#VISIT#<kind>#<id>"), below "CHAT#".
VISIT_SK_PREFIX = "CALL#VISIT#"


class DelayNotice(MapAttribute[str, Any]):
    """A clinician's "running late" message; `number` is its send-ledger attempt."""

    minutes = NumberAttribute()
    text = UnicodeAttribute(null=True)
    announced_at = UTCDateTimeAttribute()
    number = NumberAttribute(default=1)


class CallMedia(MapAttribute[str, Any]):
    """What a call member sends: microphone and camera on or off, paused for privacy."""

    audio = BooleanAttribute(default=True)
    video = BooleanAttribute(default=True)
    paused = BooleanAttribute(default=False)
    at = UTCDateTimeAttribute(null=True)


class DeviceCheck(MapAttribute[str, Any]):
    """A participant's latest device and connection check: each light green/orange/red."""

    camera = UnicodeAttribute()
    microphone = UnicodeAttribute()
    speaker = UnicodeAttribute()  # or "untested"
    connection = UnicodeAttribute()
    rtt_ms = NumberAttribute(null=True)
    jitter_ms = NumberAttribute(null=True)
    loss_percent = NumberAttribute(null=True)
    bitrate_kbps = NumberAttribute(null=True)
    checked_at = UTCDateTimeAttribute()


class Consultation(ConsultationItem, discriminator="consultation"):
    consultation_id = UnicodeAttribute()
    clinic_id = UnicodeAttribute()
    time_zone = UnicodeAttribute()
    duration_minutes = NumberAttribute()
    language = UnicodeAttribute()
    status = UnicodeAttribute(default=ConsultationStatus.SCHEDULED)
    access_code_required = BooleanAttribute(default=False)
    clinician_ids = ListAttribute[str](default=list)
    #: A copy of the patient's name for the clinic's day list (kept in step on renames).
    patient_display_name = UnicodeAttribute(null=True)
    media_worker_id = UnicodeAttribute(null=True)
    #: Guests added by `chalicelib.consultations.roster`, counted atomically against
    #: `MAX_PARTICIPANTS`.
    guest_count = NumberAttribute(default=0)
    #: Schedule revision: +1 with each move of `starts_at`, at `moved_at`; the attempt
    #: number of that move's change notices (`chalicelib.consultations.change_notices`).
    revision = NumberAttribute(default=0)
    moved_at = UTCDateTimeAttribute(null=True)
    created_at = UTCDateTimeAttribute()
    updated_at = UTCDateTimeAttribute()
    # --- the waiting room (chalicelib.waiting_room) ---
    #: +1 each time a clinician presses "Start" (calls the waiting participants in).
    call_number = NumberAttribute(default=0)
    #: The first "Start": the consultation is in progress until `started_at + duration`.
    started_at = UTCDateTimeAttribute(null=True)
    #: The latest "running late" message.
    delay = DelayNotice(null=True)
    #: When the consultation is expected to start, from the clinician's progress, computed
    #: for schedule `estimate_revision` (`chalicelib.waiting_room.estimate`).
    expected_start_at = UTCDateTimeAttribute(null=True)
    estimate_revision = NumberAttribute(null=True)
    #: Late notices sent to the clinicians so far (the attempt number of the next one).
    late_notices_sent = NumberAttribute(default=0)
    #: The last time a clinician opened the consultation (`POST .../seen`).
    seen_at = UTCDateTimeAttribute(null=True)
    # --- unread chat (chalicelib.chat.unread) ---
    #: Chat messages stored so far: +1 in the same transaction as each message.
    chat_count = NumberAttribute(default=0)
    #: clinician id -> the `chat_count` that clinician has read (their own messages are
    #: read). Exists as a map (empty on new consultations), so its entries can be SET.
    chat_read = MapAttribute[str, Any](default=dict)

    def unread_for(self, clinician_id: str) -> int:
        """Messages `clinician_id` has not read: `chat_count - chat_read[them]`, never < 0;
        0 for a clinician not on the consultation (its chat is not theirs to read)."""
        if clinician_id not in (self.clinician_ids or []):
            return 0
        marks = self.chat_read.as_dict() if self.chat_read is not None else {}
        return max(0, int(self.chat_count or 0) - int(marks.get(clinician_id, 0)))

    # --- the call (chalicelib.call) ---
    #: The current call (the latest Start): "video" or "audio", who was rung, when.
    call_mode = UnicodeAttribute(null=True)
    call_rung = ListAttribute[str](default=list)
    call_started_at = UTCDateTimeAttribute(null=True)
    #: When a clinician ended the consultation for everyone (status "ended").
    ended_at = UTCDateTimeAttribute(null=True)


class ClinicianAssignment(ConsultationItem, discriminator="assignment"):
    """A clinician on a consultation; its copy of the schedule feeds the clinician's day."""

    @staticmethod
    def sort_key(clinician_id: str) -> str:
        return f"{ASSIGNED_SK_PREFIX}{clinician_id}"

    consultation_id = UnicodeAttribute()
    clinic_id = UnicodeAttribute()
    clinician_id = UnicodeAttribute()
    duration_minutes = NumberAttribute()
    status = UnicodeAttribute()
    patient_display_name = UnicodeAttribute(null=True)
    #: A copy of the consultation's `started_at`, for the clinician's wait estimates.
    started_at = UTCDateTimeAttribute(null=True)
    #: The clinician's media state while in the call (`call.media`).
    call_media = CallMedia(null=True)


class Delivery(MapAttribute[str, Any]):
    """The outcome of sending one message on one channel (`chalicelib.messaging.ledger`).

    `Participant.deliveries` maps `<channel>:<purpose>` to one of these, written raw.
    """

    status = UnicodeAttribute()  # "sending" | "sent" | "failed"
    reason = UnicodeAttribute(null=True)
    at = UTCDateTimeAttribute()
    attempt = NumberAttribute(default=1)
    message_id = UnicodeAttribute(null=True)


class Participant(ConsultationItem, discriminator="participant"):
    @staticmethod
    def sort_key(participant_id: str) -> str:
        return f"{PARTICIPANT_SK_PREFIX}{participant_id}"

    consultation_id = UnicodeAttribute()
    participant_id = UnicodeAttribute()
    role = UnicodeAttribute()
    display_name = UnicodeAttribute()
    phone = UnicodeAttribute(null=True)
    email = UnicodeAttribute(null=True)
    language = UnicodeAttribute()
    channels = ListAttribute[str](default=list)
    presence = UnicodeAttribute(default="invited")
    deliveries = MapAttribute[str, Any](default=dict)
    # --- the waiting room (chalicelib.waiting_room); `clinic_day` and `starts_at` (the
    # consultation's) put the participant in the clinic's day index for the dashboard ---
    presence_at = UTCDateTimeAttribute(null=True)
    waiting_since = UTCDateTimeAttribute(null=True)
    device_check = DeviceCheck(null=True)
    join_with = UnicodeAttribute(null=True)  # "video" | "audio"
    notify_when_called = BooleanAttribute(default=False)
    #: The clinic's terms version this participant accepted (`chalicelib.consent`).
    accepted_terms_version = NumberAttribute(null=True)
    # --- the call (chalicelib.call) ---
    #: The answer to call number `call_answer_number`: "video", "audio" or "decline".
    call_answer = UnicodeAttribute(null=True)
    call_answer_number = NumberAttribute(null=True)
    call_answered_at = UTCDateTimeAttribute(null=True)
    #: The call number in which the participant's connection dropped: they may rejoin
    #: that call (`media.join`) without being rung again.
    call_dropped = NumberAttribute(null=True)
    #: The participant's media state while in the call (`call.media`).
    call_media = CallMedia(null=True)


class ChatAttachment(MapAttribute[str, Any]):
    object_key = UnicodeAttribute()
    content_type = UnicodeAttribute()
    size_bytes = NumberAttribute()
    status = UnicodeAttribute(default="pending_check")
    #: The upload this message shows (`FileUpload`) and the name its sender gave it.
    file_id = UnicodeAttribute(null=True)
    file_name = UnicodeAttribute(null=True)


class ChatMessage(ConsultationItem, discriminator="chat"):
    @staticmethod
    def sort_key(sent_at: datetime, message_id: str) -> str:
        """Chat sorts by time: a fixed-width UTC timestamp, then the id to break ties."""
        return f"{CHAT_SK_PREFIX}{sent_at.strftime('%Y-%m-%dT%H:%M:%S.%fZ')}#{message_id}"

    consultation_id = UnicodeAttribute()
    message_id = UnicodeAttribute()
    author_kind = UnicodeAttribute()
    author_id = UnicodeAttribute()
    text = UnicodeAttribute(null=True)
    attachment = ChatAttachment(null=True)
    sent_at = UTCDateTimeAttribute()
    #: The sender's own id for the message (`ChatSendReceipt`); None for file messages.
    client_id = UnicodeAttribute(null=True)
    #: A copy of the author's name and role when they wrote, so history needs no lookups.
    author_name = UnicodeAttribute(null=True)
    author_role = UnicodeAttribute(null=True)


class ChatSendReceipt(ConsultationItem, discriminator="chat_receipt"):
    """One per (author, client id): written in the same transaction as the chat message
    under a does-not-exist condition, so a resent message is found here, never stored twice.
    """

    @staticmethod
    def sort_key(author_kind: str, author_id: str, client_id: str) -> str:
        return f"{CHAT_RECEIPT_SK_PREFIX}{author_kind}#{author_id}#{client_id}"

    message_sk = UnicodeAttribute()


class FileUpload(ConsultationItem, discriminator="file_upload"):
    """A file a member asked to upload: pending until its bytes are checked, then accepted
    (and shown in the chat by the message `message_sk`) or refused (its object deleted)."""

    @staticmethod
    def sort_key(file_id: str) -> str:
        return f"{FILE_UPLOAD_SK_PREFIX}{file_id}"

    consultation_id = UnicodeAttribute()
    file_id = UnicodeAttribute()
    uploader_kind = UnicodeAttribute()
    uploader_id = UnicodeAttribute()
    file_name = UnicodeAttribute()
    declared_type = UnicodeAttribute()
    object_key = UnicodeAttribute()
    status = UnicodeAttribute(default="pending")  # "pending" | "accepted" | "refused"
    content_type = UnicodeAttribute(null=True)
    size_bytes = NumberAttribute(null=True)
    refusal = UnicodeAttribute(null=True)
    #: The object version (or, unversioned, ETag) that was checked: the only one served.
    object_version = UnicodeAttribute(null=True)
    object_etag = UnicodeAttribute(null=True)
    message_sk = UnicodeAttribute(null=True)
    created_at = UTCDateTimeAttribute()


class CallVisit(ConsultationItem, discriminator="call_visit"):
    """The time one member (a participant or a clinician) actually spent in the call.

    `joined_at` is set while a stretch is open (from a successful `media.join`); closing it
    adds the stretch to `seconds` and removes `joined_at` under the condition that it still
    holds the value read, so a double leave counts once. No media is recorded.
    """

    @staticmethod
    def sort_key(member_kind: str, member_id: str) -> str:
        return f"{VISIT_SK_PREFIX}{member_kind}#{member_id}"

    consultation_id = UnicodeAttribute()
    member_kind = UnicodeAttribute()  # "participant" | "clinician"
    member_id = UnicodeAttribute()
    first_joined_at = UTCDateTimeAttribute()
    last_left_at = UTCDateTimeAttribute(null=True)
    seconds = NumberAttribute(default=0)
    joined_at = UTCDateTimeAttribute(null=True)
    #: The connection that opened (or last rejoined) the open stretch: a `$disconnect` of
    #: another, older connection of the same member is not a drop.
    connection_id = UnicodeAttribute(null=True)


# --- tokens, connections, records, workers ----------------------------------------------


class LinkToken(Model):
    """A secret handed to a person (link, magic link, websocket ticket); only its hash."""

    class Meta(_Meta):
        table_name = "link_tokens"

    token_hash = UnicodeAttribute(hash_key=True)
    purpose = UnicodeAttribute()
    clinic_id = UnicodeAttribute()
    consultation_id = UnicodeAttribute(null=True)
    participant_id = UnicodeAttribute(null=True)
    clinician_id = UnicodeAttribute(null=True)
    created_at = UTCDateTimeAttribute()
    not_after = UTCDateTimeAttribute()
    failed_attempts = NumberAttribute(default=0)
    locked_until = UTCDateTimeAttribute(null=True)
    #: Participant links only: HMAC of the optional access code, keyed by the link token.
    access_code_hash = UnicodeAttribute(null=True)
    expires_at = TTLAttribute()


class ConnectionsOfConsultation(GlobalSecondaryIndex["Connection"]):
    class Meta:
        index_name = "by_consultation"
        projection = AllProjection()

    consultation_id = UnicodeAttribute(hash_key=True)


class ConnectionsOfClinic(GlobalSecondaryIndex["Connection"]):
    """A clinic's live connections: the waiting room's one Query for a push's recipients
    (staff connections and one consultation's participants, kept by a filter)."""

    class Meta:
        index_name = "by_clinic"
        projection = IncludeProjection(
            ["principal_kind", "principal_id", "consultation_id", "staff_clinic_id"]
        )

    clinic_id = UnicodeAttribute(hash_key=True)


class ConnectionsOfClinicStaff(GlobalSecondaryIndex["Connection"]):
    """Sparse: clinicians' connections, for the clinic dashboard's live updates."""

    class Meta:
        index_name = "by_clinic_staff"
        projection = AllProjection()

    staff_clinic_id = UnicodeAttribute(hash_key=True)


class Connection(Model):
    """A live API Gateway websocket connection and who holds it."""

    class Meta(_Meta):
        table_name = "connections"

    connection_id = UnicodeAttribute(hash_key=True)
    principal_kind = UnicodeAttribute()
    principal_id = UnicodeAttribute()
    clinic_id = UnicodeAttribute()
    consultation_id = UnicodeAttribute(null=True)
    staff_clinic_id = UnicodeAttribute(null=True)
    connected_at = UTCDateTimeAttribute()
    expires_at = TTLAttribute()
    #: The consultation whose call this connection joined (`media.join`), until it leaves:
    #: its `$disconnect` is then a dropped call.
    call_id = UnicodeAttribute(null=True)

    by_consultation = ConnectionsOfConsultation()
    by_clinic_staff = ConnectionsOfClinicStaff()
    by_clinic = ConnectionsOfClinic()


class ClinicTerms(Model):
    """One version of a clinic's terms and data-protection notice: a text per language.

    Written once and never edited: a clinic that changes its terms saves a new version
    (`chalicelib.consent.terms`). Not personal data, so it carries no expiry.
    """

    class Meta(_Meta):
        table_name = "terms"

    clinic_id = UnicodeAttribute(hash_key=True)
    version = NumberAttribute(range_key=True)
    texts = MapAttribute[str, Any]()
    created_at = UTCDateTimeAttribute()
    created_by = UnicodeAttribute()


class ConsentRecord(Model):
    """A participant accepted the clinic's terms: the exact text shown, its hash, when.

    Written once under a condition and never changed (`chalicelib.consent.records`); it
    expires with the consultation's data.
    """

    class Meta(_Meta):
        table_name = "consents"

    consultation_id = UnicodeAttribute(hash_key=True)
    record_key = UnicodeAttribute(range_key=True)  # "<participant_id>#<terms version:06d>"
    clinic_id = UnicodeAttribute()
    participant_id = UnicodeAttribute()
    terms_version = NumberAttribute()
    language = UnicodeAttribute()
    text = UnicodeAttribute()
    sha256 = UnicodeAttribute()
    user_agent = UnicodeAttribute()
    accepted_at = UTCDateTimeAttribute()
    expires_at = TTLAttribute()


class AuditEvent(Model):
    """Who did what, per clinic and in time order; details never hold personal data."""

    class Meta(_Meta):
        table_name = "audit_events"

    clinic_id = UnicodeAttribute(hash_key=True)
    event_key = UnicodeAttribute(range_key=True)  # "<occurred_at>#<event_id>"
    action = UnicodeAttribute()
    actor_kind = UnicodeAttribute()
    actor_id = UnicodeAttribute()
    consultation_id = UnicodeAttribute(null=True)
    details = MapAttribute[str, Any](default=dict)
    occurred_at = UTCDateTimeAttribute()
    expires_at = TTLAttribute()


class WorkersOfPool(GlobalSecondaryIndex["MediaWorker"]):
    class Meta:
        index_name = "by_pool"
        projection = AllProjection()

    pool = UnicodeAttribute(hash_key=True)


class MediaWorker(Model):
    """A media worker task's registration; a stale heartbeat means it is gone."""

    class Meta(_Meta):
        table_name = "media_workers"

    worker_id = UnicodeAttribute(hash_key=True)
    pool = UnicodeAttribute(default="default")
    control_url = UnicodeAttribute()
    public_address = UnicodeAttribute()
    capacity = NumberAttribute()
    load = NumberAttribute(default=0)
    status = UnicodeAttribute(default="active")
    heartbeat_at = UTCDateTimeAttribute()
    expires_at = TTLAttribute()

    by_pool = WorkersOfPool()


class RateLimitWindow(Model):
    """A fixed-window counter: how often one key (a hashed email, an IP) acted in a window.

    The key is `<scope>#<hashed subject>#<window start>`; the item expires with its window.
    """

    class Meta(_Meta):
        table_name = "rate_limits"

    window_key = UnicodeAttribute(hash_key=True)
    hits = NumberAttribute(default=0)
    expires_at = TTLAttribute()


#: Every table's model, in creation order. Polymorphic subclasses share their base's table.
TABLE_MODELS: tuple[type[Model], ...] = (
    Clinic,
    Clinician,
    ConsultationItem,
    LinkToken,
    Connection,
    ClinicTerms,
    ConsentRecord,
    AuditEvent,
    MediaWorker,
    RateLimitWindow,
)
