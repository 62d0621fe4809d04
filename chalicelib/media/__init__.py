"""The app's side of media: control-API signing and client, signaling relay, the worker registry
and TURN credentials.
"""
