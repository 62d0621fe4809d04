"""`GET /api/health`, the HTTP error mapping, and the scheduled sweeper."""

from __future__ import annotations

import json

from chalice import Blueprint, Chalice
from chalice.test import Client

from chalicelib.errors import InvalidField, RateLimited
from chalicelib.routes import error_responses
from chalicelib.store.models import ConsultationItem


def test_health_reports_ok_when_dynamodb_answers(app: Chalice) -> None:
    with Client(app) as client:
        response = client.http.get("/api/health")
    assert response.status_code == 200
    assert json.loads(response.body) == {
        "status": "ok",
        "stage": "test",
        "checks": {"dynamodb": "ok"},
    }
    assert response.headers["Cache-Control"] == "no-store"


def test_health_reports_degraded_when_the_table_is_missing(app: Chalice) -> None:
    ConsultationItem.delete_table()
    with Client(app) as client:
        response = client.http.get("/api/health")
    assert response.status_code == 503
    assert json.loads(response.body)["checks"] == {"dynamodb": "unavailable"}


def test_domain_errors_raised_in_routes_become_json_errors() -> None:
    probe = Chalice(app_name="error-probe", configure_logs=False)
    error_responses.register(probe, send_frame=lambda connection_id, frame: None)
    routes = Blueprint(__name__)

    @routes.route("/invalid")
    def invalid() -> None:
        raise InvalidField("phone", "the phone number is not valid")

    @routes.route("/limited")
    def limited() -> None:
        raise RateLimited("too many attempts", retry_after=60)

    probe.register_blueprint(routes)
    with Client(probe) as client:
        invalid_response = client.http.get("/invalid")
        limited_response = client.http.get("/limited")

    assert invalid_response.status_code == 400
    assert json.loads(invalid_response.body) == {
        "error": {
            "code": "invalid_field",
            "message": "the phone number is not valid",
            "field": "phone",
        }
    }
    assert limited_response.status_code == 429
    assert limited_response.headers["Retry-After"] == "60"


def test_the_sweeper_runs_on_its_schedule(app: Chalice) -> None:
    with Client(app) as client:
        response = client.lambda_.invoke(
            "sweep",
            client.events.generate_cw_event(
                source="aws.events", detail_type="Scheduled Event", detail={}, resources=[]
            ),
        )
    assert response.payload == {"handled": 0, "failed": 0}
