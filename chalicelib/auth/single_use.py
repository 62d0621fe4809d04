"""Secrets handed to people, stored by their hash: issuing them, and spending them once.

`issue` stores a new secret for a principal (a websocket ticket, a magic link, a session)
and returns it; only its hash is kept. `spend` uses up a single-use one: the item is read by
its hash, then deleted under a condition that it still exists and has the expected purpose,
so two requests racing with one token cannot both win, and a token of another purpose is
refused without being spent. `principal_of` reads whom an item was issued to;
`update_if_present` changes one only while it exists; `discard` deletes one that is no
longer wanted (a session signed out of), only if it has the expected purpose. A secret is
valid strictly before its `not_after`: at that instant it is over.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

from pynamodb.exceptions import DeleteError, UpdateError
from pynamodb.expressions.update import Action

from chalicelib.auth.principals import Principal, PrincipalKind
from chalicelib.auth.secret_tokens import new_token, token_hash
from chalicelib.errors import Unauthorized
from chalicelib.store.models import LinkToken


def issue(
    principal: Principal,
    *,
    purpose: str,
    now: datetime,
    lifetime: timedelta,
    kept_for: timedelta | None = None,
) -> str:
    """Store a new secret for `principal`, valid for `lifetime`; return the secret.

    `kept_for` (default: `lifetime`) is when DynamoDB may delete the item (its TTL).
    """
    token = new_token()
    LinkToken(
        token_hash=token_hash(token),
        purpose=purpose,
        clinic_id=principal.clinic_id,
        consultation_id=principal.consultation_id,
        participant_id=principal.id if principal.kind == "participant" else None,
        clinician_id=principal.id if principal.kind == "clinician" else None,
        created_at=now,
        not_after=now + lifetime,
        expires_at=now + (kept_for or lifetime),
    ).save(condition=LinkToken.token_hash.does_not_exist())
    return token


def spend(token: str, *, purpose: str, now: datetime, what: str) -> LinkToken:
    """Delete the token's item and return it; `Unauthorized` (naming `what`) otherwise."""
    unknown = Unauthorized(f"the {what} is unknown or already used")
    try:
        item = LinkToken.get(token_hash(token))
    except LinkToken.DoesNotExist:
        raise unknown from None
    if item.purpose != purpose:
        raise unknown
    try:
        item.delete(condition=LinkToken.token_hash.exists() & (LinkToken.purpose == purpose))
    except DeleteError as error:
        if error.cause_response_code != "ConditionalCheckFailedException":
            raise
        raise unknown from None
    if item.not_after <= now:  # like sessions and links: over at its end, not after it
        raise Unauthorized(f"the {what} has expired")
    return item


def principal_of(item: LinkToken) -> Principal:
    """Whom a token was issued to (`issue` in reverse); `Unauthorized` if it names nobody."""
    kind: PrincipalKind
    if item.clinician_id is not None:
        kind, whom = "clinician", item.clinician_id
    elif item.participant_id is not None:
        kind, whom = "participant", item.participant_id
    else:
        raise Unauthorized("the token names nobody")
    return Principal(
        kind=kind, id=whom, clinic_id=item.clinic_id, consultation_id=item.consultation_id
    )


def update_if_present(item: LinkToken, actions: Sequence[Action]) -> bool:
    """Apply `actions` to the item unless it was deleted meanwhile (False): an UpdateItem
    without that condition would bring a signed-out or expired token back as a bare item."""
    try:
        item.update(actions=list(actions), condition=LinkToken.token_hash.exists())
    except UpdateError as error:
        if error.cause_response_code != "ConditionalCheckFailedException":
            raise
        return False
    return True


def discard(token: str, *, purpose: str) -> None:
    """Delete the token's item if it has `purpose`; one already gone is not an error."""
    try:
        LinkToken(token_hash=token_hash(token)).delete(condition=LinkToken.purpose == purpose)
    except DeleteError as error:
        if error.cause_response_code != "ConditionalCheckFailedException":
            raise
