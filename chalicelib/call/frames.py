"""The call's websocket frames, as plain JSON. Pushed frames carry ids, never names,
except `call.state`'s reply to a member of the consultation (who sees the others' names)."""

from __future__ import annotations

from typing import Any

ANSWER = "call.answer"
ANSWERED = "call.answered"
ENDED = "call.ended"
MEDIA = "call.media"
STATE = "call.state"
LEFT = "call.left"
ROSTER = "media.roster"


def answer_frame(
    consultation_id: str, call_number: int, participant_id: str, answer: str
) -> dict[str, Any]:
    """To the consultation's clinicians: a rung participant answered."""
    return {
        "type": ANSWER,
        "consultation_id": consultation_id,
        "call_number": call_number,
        "participant_id": participant_id,
        "answer": answer,
    }


def ended_frame(consultation_id: str) -> dict[str, Any]:
    return {"type": ENDED, "consultation_id": consultation_id}


def media_json(audio: bool, video: bool, paused: bool) -> dict[str, bool]:
    return {"audio": audio, "video": video, "paused": paused}


def media_frame(
    consultation_id: str, kind: str, member_id: str, media: dict[str, bool]
) -> dict[str, Any]:
    return {
        "type": MEDIA,
        "consultation_id": consultation_id,
        "member": {"kind": kind, "id": member_id},
        **media,
    }


def roster_frame(consultation_id: str, roster: list[dict[str, Any]]) -> dict[str, Any]:
    return {"type": ROSTER, "consultation_id": consultation_id, "roster": roster}
