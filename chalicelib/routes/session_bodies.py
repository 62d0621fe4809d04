"""The request bodies of sign-in and participant sessions, each written once as a Struct."""

from __future__ import annotations

from typing import Annotated

from msgspec import Meta, Struct

Token = Annotated[str, Meta(min_length=1, max_length=512)]


class SignInLinkBody(Struct, kw_only=True):
    """`POST /api/clinician/sign-in-links`."""

    email: Annotated[str, Meta(min_length=1, max_length=512, extra_json_schema={"format": "email"})]


class ClinicianSessionBody(Struct, kw_only=True):
    """`POST /api/clinician/sessions`: the emailed link's token."""

    token: Token


class ParticipantSessionBody(Struct, kw_only=True):
    """`POST /api/participant-sessions`: the link's token, and its access code if asked."""

    token: Token
    access_code: Annotated[str, Meta(max_length=32, description="Six digits.")] | None = None
