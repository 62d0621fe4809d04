"""Tests of forwarding: aiortc hooks, rooms and echo, with in-process aiortc peers."""
