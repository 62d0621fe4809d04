"""Messages to participants: SMS (SNS), email (SES) and WhatsApp, sent at most once each.

`compose` turns a purpose and a language into texts; `sms`, `email` and `whatsapp` each
talk to one AWS service; `ledger` claims and records each send on the participant; the
`courier` puts them together. See `docs/messages.md`.
"""
