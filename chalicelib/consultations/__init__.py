"""Consultations: scheduling, reads and day lists, transactions, change and cancellation notices,
input checks.
"""
