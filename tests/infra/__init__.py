"""Vestibule's infra tests."""
