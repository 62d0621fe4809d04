"""Vestibule's unit tests."""
