"""The call's refusals, each an error frame (or a 4xx over REST) with its own `code`.

call_over    409  not the current call's number, or the consultation is not scheduled
not_called   403  this participant was not rung by the current call
not_in_call  403  media before accepting (a participant), or before Start (a clinician)
call_full    409  the call already has its 4 members
not_a_member 403  a clinician of the clinic who is not on the consultation
"""

from __future__ import annotations

from chalicelib.errors import Conflict, Forbidden
from chalicelib.i18n.catalogue import text

#: Members of one call at most: the media worker's room size.
MAX_CALL_MEMBERS = 4


class CallOver(Conflict):
    code = "call_over"

    def __init__(self, language: str = "en") -> None:
        super().__init__(text(language, "call.refused.call_over"))


class NotCalled(Forbidden):
    code = "not_called"

    def __init__(self, language: str = "en") -> None:
        super().__init__(text(language, "call.refused.not_called"))


class NotInCall(Forbidden):
    code = "not_in_call"

    def __init__(self, language: str = "en") -> None:
        super().__init__(text(language, "call.refused.not_in_call"))


class CallFull(Conflict):
    code = "call_full"

    def __init__(self, language: str = "en") -> None:
        super().__init__(text(language, "call.refused.call_full", limit=MAX_CALL_MEMBERS))


class NotAMember(Forbidden):
    """The same code as the chat's refusal: a colleague not on the consultation."""

    code = "not_a_member"

    def __init__(self) -> None:
        super().__init__("you are not a clinician of this consultation")
