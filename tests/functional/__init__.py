"""Vestibule's functional tests."""
