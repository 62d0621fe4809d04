"""Vestibule test suite: unit, functional (moto), e2e (local stack, browser), infra."""
