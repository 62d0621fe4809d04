"""Fakes and builders shared by the test suites."""
