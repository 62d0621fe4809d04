"""The one-minute sweeper: Chalice's scheduled function, made to run one sweep at a time.

`chalicelib/routes/scheduled.py` declares `@schedule(Rate(1, MINUTES))`; `chalice package`
turns it into the `Sweep` function with its EventBridge schedule. Sweeps are idempotent and
the next one comes a minute later, so a failed run is not retried (a retry would overlap
the next sweep), an event older than a minute is dropped, and at most one runs at once.
"""

from __future__ import annotations

from chalice.cdk import Chalice
from constructs import Construct

SWEEPER = "Sweep"


class Scheduling(Construct):
    def __init__(self, scope: Construct, id: str, *, chalice: Chalice) -> None:
        super().__init__(scope, id)
        sweeper = chalice.get_resource(SWEEPER)
        sweeper.add_property_override("ReservedConcurrentExecutions", 1)
        sweeper.add_property_override(
            "EventInvokeConfig", {"MaximumRetryAttempts": 0, "MaximumEventAgeInSeconds": 60}
        )
        self.function_name = sweeper.ref
