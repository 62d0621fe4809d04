"""Reminders: when a participant's reminder is due, and the sweep that sends it once."""
