"""Clinics: their profile and settings as the rest of the app reads them."""
