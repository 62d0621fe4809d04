"""Tests of the media worker: its control API, rooms, registration and network hooks."""
