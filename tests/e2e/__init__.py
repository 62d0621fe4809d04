"""Vestibule's e2e tests."""
