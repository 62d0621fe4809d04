"""Outbound messages: composing SMS, email and WhatsApp texts, the senders (SNS, SES, End User
Messaging Social), the send ledger, QR codes.
"""
