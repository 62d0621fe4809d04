"""The demo clinic and clinician that the bootstrap seeds and the supervisor announces."""

from __future__ import annotations

from typing import Final

CLINIC_ID: Final = "demo-clinic"
CLINIC_NAME: Final = "Demo Clinic"
CLINIC_TIME_ZONE: Final = "Europe/Paris"
CLINIC_LANGUAGE: Final = "en"

CLINICIAN_ID: Final = "demo-clinician"
CLINICIAN_EMAIL: Final = "dr.demo@clinic.example"
CLINICIAN_NAME: Final = "Dr Demo"
