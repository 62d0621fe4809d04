"""One error hierarchy, mapped in one place to HTTP responses and websocket frames."""

from __future__ import annotations

import json

import pytest

from chalicelib import errors
from chalicelib.routes.error_responses import error_frame, http_response

CLIENT_ERRORS = [
    (errors.ClientError("x"), 400, "bad_request"),
    (errors.InvalidField("phone", "x"), 400, "invalid_field"),
    (errors.MalformedJson("x"), 400, "bad_json"),
    (errors.UnknownMessageType("x"), 400, "unknown_type"),
    (errors.Unauthorized("x"), 401, "unauthorized"),
    (errors.Forbidden("x"), 403, "forbidden"),
    (errors.NotFound("x"), 404, "not_found"),
    (errors.Conflict("x"), 409, "conflict"),
    (errors.PayloadTooLarge("x"), 413, "too_large"),
    (errors.RateLimited("x", retry_after=30), 429, "rate_limited"),
]


@pytest.mark.parametrize(("error", "status", "code"), CLIENT_ERRORS)
def test_client_errors_map_to_their_status_and_code(
    error: errors.VestibuleError, status: int, code: str
) -> None:
    response = http_response(error)
    assert response.status_code == status
    assert response.headers["Content-Type"] == "application/json"
    assert response.body["error"]["code"] == code
    assert response.body["error"]["message"] == "x"


def test_codes_are_unique_so_clients_can_branch_on_them() -> None:
    codes = [type(error).code for error, _, _ in CLIENT_ERRORS]
    assert len(codes) == len(set(codes))


def test_invalid_field_names_the_field() -> None:
    response = http_response(errors.InvalidField("email", "not an email address"))
    assert response.body == {
        "error": {"code": "invalid_field", "message": "not an email address", "field": "email"}
    }


def test_rate_limited_tells_when_to_retry() -> None:
    response = http_response(errors.RateLimited("slow down", retry_after=900))
    assert response.headers["Retry-After"] == "900"
    assert response.body["error"]["retry_after"] == 900


def test_server_side_errors_are_500() -> None:
    assert http_response(errors.ConfigError("VESTIBULE_STAGE is not set")).status_code == 500
    assert errors.VestibuleError.status_code == 500


def test_error_frame_carries_code_message_details_and_the_request_id() -> None:
    frame = error_frame(errors.InvalidField("type", "missing"), request_id="7")
    assert frame == {
        "type": "error",
        "code": "invalid_field",
        "message": "missing",
        "field": "type",
        "id": "7",
    }
    assert json.loads(json.dumps(frame)) == frame


def test_error_frame_without_request_id_has_no_id() -> None:
    assert "id" not in error_frame(errors.MalformedJson("not JSON"))
