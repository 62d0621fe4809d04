"""Participants' personal links, and exchanging a link's token for a participant session.

A link is `<public base URL>/j/#<token>`: 256 random bits in the fragment, which browsers
never send to a server, so the token stays out of access logs and CDN logs. The table keeps
only the token's hash (a `LinkToken` of purpose `participant_link`). Opening the link (a
GET of a static page) changes nothing; the page's script POSTs the token to `exchange`.

A link is not single-use: it works on every device, as often as needed, until the
consultation ends plus the clinic's `link_grace_minutes`, or until it is cancelled. The end
is computed from the consultation at each exchange, so a rescheduled consultation moves it
(within the item's TTL, `KEPT_AFTER_END` past the end known when the link was issued).

With an access code, five wrong codes lock the link for 15 minutes, and this holds however
many guesses arrive at once: each attempt first claims a guess with one conditional
UpdateItem (only while the link exists, is not locked and has used fewer than five), and
only then is the code compared; the request that used the fifth sets `locked_until` under a
condition, so racing requests audit one lockout, not several. A correct code resets the
count, again only while the link is not locked: a right code that loses the race to a lock
is refused. Every refusal carries a `reason` and a message in the
participant's language (the browser's for unknown links). `end_session` signs out.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import NoReturn

from pynamodb.exceptions import UpdateError
from pynamodb.expressions.condition import Condition
from pynamodb.expressions.update import Action

from chalicelib import audit
from chalicelib.auth.principals import Principal
from chalicelib.auth.secret_tokens import new_token, token_hash
from chalicelib.auth.single_use import discard, issue, principal_of
from chalicelib.clock import Clock
from chalicelib.errors import (
    AccessCodeRequired,
    CancelledLink,
    ExpiredLink,
    LinkLocked,
    Unauthorized,
    UnknownLink,
    WrongAccessCode,
)
from chalicelib.i18n import catalogue
from chalicelib.participants import access_codes
from chalicelib.participants.standing import CANCELLED, ParticipantStanding, participant_standing
from chalicelib.store.models import (
    CONSULTATION_SK,
    Clinic,
    Consultation,
    ConsultationItem,
    LinkToken,
    Participant,
)

LINK_PURPOSE = "participant_link"
SESSION_PURPOSE = "participant_session"
#: The participant session's cookie: HttpOnly, SameSite=Strict, Path=/api (clinician_auth).
COOKIE_NAME = "vestibule_participant"
MAX_WRONG_CODES = 5
LOCKOUT = timedelta(minutes=15)
#: How long after the end known at issue time DynamoDB may delete a link's item.
KEPT_AFTER_END = timedelta(days=1)
LOCKOUT_ACTION = "participant_link.locked"


@dataclass(frozen=True)
class ParticipantSession:
    token: str
    principal: Principal
    lifetime: timedelta
    language: str


@dataclass(frozen=True)
class _Link:
    item: LinkToken
    consultation: Consultation
    participant: Participant
    clinic: Clinic


def link_end(consultation: Consultation, clinic: Clinic) -> datetime:
    """When the consultation's links stop working: its end plus the clinic's grace."""
    if consultation.starts_at is None:
        raise ValueError("a consultation with links has a start time")
    return consultation.starts_at + timedelta(
        minutes=int(consultation.duration_minutes) + int(clinic.settings.link_grace_minutes)
    )


class ParticipantLinks:
    def __init__(self, *, clock: Clock, public_base_url: str | None) -> None:
        self._clock = clock
        self._base_url = public_base_url or ""

    def issue_link(
        self,
        consultation: Consultation,
        participant: Participant,
        *,
        clinic: Clinic | None = None,
        access_code: str | None = None,
    ) -> str:
        """Store a new link for `participant` (with the code's HMAC, if any); its URL.

        Fits `chalicelib.participants.link_delivery.LinkIssuer`; `clinic` is read when not given.
        """
        now = self._clock.now()
        token = new_token()
        end = link_end(consultation, clinic or Clinic.get(consultation.clinic_id))
        LinkToken(
            token_hash=token_hash(token),
            purpose=LINK_PURPOSE,
            clinic_id=consultation.clinic_id,
            consultation_id=consultation.consultation_id,
            participant_id=participant.participant_id,
            created_at=now,
            not_after=end,
            access_code_hash=(
                access_codes.code_hash(token, access_code) if access_code is not None else None
            ),
            expires_at=end + KEPT_AFTER_END,
        ).save(condition=LinkToken.token_hash.does_not_exist())
        return f"{self._base_url}/j/#{token}"

    def exchange(
        self, token: str, *, access_code: str | None = None, browser_language: str | None = None
    ) -> ParticipantSession:
        """A new participant session for the link's holder, or a `LinkRefused` saying why."""
        now = self._clock.now()
        link = self._find(token, browser_language)
        language = catalogue.supported(link.participant.language)
        if link.consultation.status == CANCELLED:
            raise _refusal(CancelledLink, language, "page.cancelled")
        end = link_end(link.consultation, link.clinic)
        if now >= end:
            raise _refusal(ExpiredLink, language, "page.link_expired")
        _refuse_if_locked(link.item, now, language)
        if link.item.access_code_hash is not None:
            self._check_code(link, token, access_code, now, language)
        principal = _principal_of(link)
        lifetime = end - now
        session = issue(principal, purpose=SESSION_PURPOSE, now=now, lifetime=lifetime)
        return ParticipantSession(session, principal, lifetime, language)

    def resume(self, session_token: str | None) -> Principal:
        """The participant holding this session; `Unauthorized` if it is unknown or over."""
        return self.resume_standing(session_token).principal

    def resume_standing(self, session_token: str | None) -> ParticipantStanding:
        """The session's participant and consultation, both still live; `Unauthorized` if the
        session is unknown or over, the consultation cancelled or the participant removed."""
        return participant_standing(self.session_principal(session_token))

    def session_principal(self, session_token: str | None) -> Principal:
        """The participant holding this live session, without reading their consultation
        (one GetItem): for callers that load the consultation's partition themselves."""
        if not session_token:
            raise Unauthorized("open your invitation link first")
        try:
            item = LinkToken.get(token_hash(session_token))
        except LinkToken.DoesNotExist:
            raise Unauthorized("the session is unknown or has ended") from None
        if item.purpose != SESSION_PURPOSE or item.participant_id is None:
            raise Unauthorized("the session is unknown or has ended")
        if item.not_after <= self._clock.now():
            raise Unauthorized("the session has ended")
        return principal_of(item)

    def end_session(self, session_token: str | None) -> None:
        """Sign the participant out: delete the live session; `Unauthorized` without one.

        As for clinicians, only a live session can be ended; the link itself still works.
        """
        self.resume(session_token)
        discard(session_token or "", purpose=SESSION_PURPOSE)

    def _find(self, token: str, browser_language: str | None) -> _Link:
        unknown = _refusal(
            UnknownLink, catalogue.choose_language(None, browser_language), "page.unknown_link"
        )
        try:
            item = LinkToken.get(token_hash(token))
        except LinkToken.DoesNotExist:
            raise unknown from None
        if item.purpose != LINK_PURPOSE or not item.consultation_id or not item.participant_id:
            raise unknown
        partition = ConsultationItem.partition(item.consultation_id)
        try:
            consultation = Consultation.get(partition, CONSULTATION_SK)
            participant = Participant.get(partition, Participant.sort_key(item.participant_id))
            clinic = Clinic.get(consultation.clinic_id)
        except (Consultation.DoesNotExist, Participant.DoesNotExist, Clinic.DoesNotExist):
            raise unknown from None
        return _Link(item, consultation, participant, clinic)

    def _check_code(
        self, link: _Link, token: str, code: str | None, now: datetime, language: str
    ) -> None:
        """Claim one of the link's guesses, then compare; accept only while not locked."""
        if not code or not code.strip():
            raise AccessCodeRequired(catalogue.text(language, "page.access_code_required"))
        _claim_guess(link, now, language)
        if access_codes.matches(token, code, link.item.access_code_hash or ""):
            _accept(link.item, now, language)
            return
        if link.item.failed_attempts < MAX_WRONG_CODES:
            raise WrongAccessCode(catalogue.text(language, "page.access_code_wrong"))
        _lock(link, now, language)


def _unlocked(now: datetime) -> Condition:
    unlocked: Condition = LinkToken.locked_until.does_not_exist() | (LinkToken.locked_until <= now)
    return unlocked


def _claim_guess(link: _Link, now: datetime, language: str) -> None:
    """Count this attempt before the code is compared: one atomic UpdateItem that succeeds
    only while the link exists, is not locked and has guesses left. However many requests
    race, at most `MAX_WRONG_CODES` codes are compared before the link locks."""
    try:
        link.item.update(
            actions=[LinkToken.failed_attempts.add(1)],
            condition=LinkToken.token_hash.exists()
            & _unlocked(now)
            & (LinkToken.failed_attempts < MAX_WRONG_CODES),
        )
    except UpdateError as error:
        if error.cause_response_code != "ConditionalCheckFailedException":
            raise
        _lock(link, now, language)  # locked, deleted, or out of guesses: make sure it locks


def _accept(item: LinkToken, now: datetime, language: str) -> None:
    """Reset the count for a right code, only while the link exists and is not locked: a
    right code compared just before racing wrong ones locked the link is refused too."""
    reset: list[Action] = [LinkToken.failed_attempts.set(0), LinkToken.locked_until.remove()]
    try:
        item.update(actions=reset, condition=LinkToken.token_hash.exists() & _unlocked(now))
    except UpdateError as error:
        if error.cause_response_code != "ConditionalCheckFailedException":
            raise
        raise _locked(language, LOCKOUT) from None


def _lock(link: _Link, now: datetime, language: str) -> NoReturn:
    """Lock the link for `LOCKOUT` once its guesses are used up; of racing requests only one
    locks (and audits), the others are refused as locked too."""
    until = now + LOCKOUT
    try:
        link.item.update(
            actions=[LinkToken.locked_until.set(until), LinkToken.failed_attempts.set(0)],
            condition=LinkToken.token_hash.exists()
            & (LinkToken.failed_attempts >= MAX_WRONG_CODES)
            & _unlocked(now),
        )
    except UpdateError as error:
        if error.cause_response_code != "ConditionalCheckFailedException":
            raise
        raise _locked(language, LOCKOUT) from None  # a racing request locked and audited
    _audit_lockout(link, now, until)
    raise _locked(language, LOCKOUT)


def _refuse_if_locked(item: LinkToken, now: datetime, language: str) -> None:
    if item.locked_until is not None and item.locked_until > now:
        raise _locked(language, item.locked_until - now)


def _locked(language: str, remaining: timedelta) -> LinkLocked:
    seconds = max(1, math.ceil(remaining.total_seconds()))
    return LinkLocked(catalogue.text(language, "page.link_locked"), retry_after=seconds)


def _refusal(
    kind: type[UnknownLink | ExpiredLink | CancelledLink], language: str, key: str
) -> UnknownLink | ExpiredLink | CancelledLink:
    return kind(
        catalogue.text(language, f"{key}.body"), title=catalogue.text(language, f"{key}.title")
    )


def _audit_lockout(link: _Link, now: datetime, until: datetime) -> None:
    """Record the lockout: which link's participant, until when; no personal data."""
    audit.record(
        LOCKOUT_ACTION,
        _principal_of(link),
        now=now,
        consultation_id=link.consultation.consultation_id,
        details={"failed_attempts": MAX_WRONG_CODES, "locked_until": until.isoformat()},
    )


def _principal_of(link: _Link) -> Principal:
    return Principal(
        kind="participant",
        id=link.participant.participant_id,
        clinic_id=link.consultation.clinic_id,
        consultation_id=link.consultation.consultation_id,
    )
