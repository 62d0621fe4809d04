"""The demo clinic and its clinicians that the bootstrap seeds and the supervisor announces.

A second clinician, a colleague, lets a consultation be shared and "Only mine" mean something.
"""

from __future__ import annotations

from typing import Final

CLINIC_ID: Final = "demo-clinic"
CLINIC_NAME: Final = "Demo Clinic"
CLINIC_TIME_ZONE: Final = "Europe/Paris"
CLINIC_LANGUAGE: Final = "en"

CLINICIAN_ID: Final = "demo-clinician"
CLINICIAN_EMAIL: Final = "dr.demo@clinic.example"
CLINICIAN_NAME: Final = "Dr Demo"

COLLEAGUE_ID: Final = "demo-colleague"
COLLEAGUE_EMAIL: Final = "dr.lind@clinic.example"
COLLEAGUE_NAME: Final = "Dr Lind"
