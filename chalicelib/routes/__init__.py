"""Chalice blueprints: thin request/response code that calls into chalicelib's modules."""
