"""Participants: patient and guests, their personal links, access codes, contact points,
invitations and on-screen links.
"""
