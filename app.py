"""Vestibule's Chalice app: creates the app, registers middleware, blueprints and handlers.

Thin on purpose: the work lives in `chalicelib`. The three websocket handlers are registered
here because Chalice blueprints cannot carry them; each is bound to a module-level name,
which is what Lambda's handler string (`app.<name>`) resolves.
"""

from __future__ import annotations

from chalice import Chalice

from chalicelib import observability, wiring
from chalicelib.routes import (
    call,
    chat,
    clinic,
    clinician_phone,
    clinician_sign_in,
    consent,
    consultations,
    error_responses,
    files,
    health,
    openapi,
    participant_sessions,
    participant_texts,
    participants,
    scheduled,
    waiting_room,
    waiting_room_actions,
    websocket,
    ws_tickets,
)

app = Chalice(app_name="vestibule", configure_logs=False)
app.experimental_feature_flags.update(["WEBSOCKETS"])

wiring.install(app)
observability.register(app)
error_responses.register(app, send_frame=wiring.push_frame)

app.register_blueprint(health.blueprint)
app.register_blueprint(scheduled.blueprint)
app.register_blueprint(openapi.blueprint)
app.register_blueprint(clinician_sign_in.blueprint)
app.register_blueprint(clinic.blueprint)
app.register_blueprint(clinician_phone.blueprint)
app.register_blueprint(consultations.blueprint)
app.register_blueprint(participants.blueprint)
app.register_blueprint(ws_tickets.blueprint)
app.register_blueprint(participant_sessions.blueprint)
app.register_blueprint(participant_texts.blueprint)
app.register_blueprint(waiting_room.blueprint)
app.register_blueprint(waiting_room_actions.blueprint)
app.register_blueprint(consent.blueprint)
app.register_blueprint(files.blueprint)
app.register_blueprint(chat.blueprint)
app.register_blueprint(call.blueprint)

connect = app.on_ws_connect()(websocket.connect)
message = app.on_ws_message()(websocket.message)
disconnect = app.on_ws_disconnect()(websocket.disconnect)
