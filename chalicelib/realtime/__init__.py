"""Websockets: the message protocol, dispatch, connections, heartbeats, pushes and the API Gateway
Management API client.
"""
