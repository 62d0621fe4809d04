"""One DynamoDB transaction over a consultation's items, whose failed condition is a 4xx.

`chalicelib.consultations.schedule` writes the consultation, its participants and its clinicians'
assignments together. When a condition fails (a clinician is not a colleague, the
consultation changed or was cancelled meanwhile), the caller's `on_condition` error is
raised, else a `Conflict` asking to reload: a client error naming what to fix, never a 500.
"""

from __future__ import annotations

from collections.abc import Callable

from pynamodb.exceptions import TransactWriteError
from pynamodb.transactions import TransactWrite

from chalicelib.errors import ClientError, Conflict
from chalicelib.store.models import ConsultationItem


class ConsultationTransaction(TransactWrite):
    """A `TransactWrite` on the models' own connection (the stage's region and endpoint)."""

    def __init__(self, on_condition: Callable[[], ClientError] | None = None) -> None:
        super().__init__(connection=ConsultationItem._get_connection().connection)
        self._on_condition = on_condition

    def __exit__(self, exc_type: object, exc_val: object, exc_tb: object) -> None:
        try:
            super().__exit__(exc_type, exc_val, exc_tb)  # type: ignore[no-untyped-call]
        except TransactWriteError as error:
            if error.cause_response_code != "TransactionCanceledException":
                raise
            reasons = {reason.code for reason in error.cancellation_reasons if reason}
            if "ConditionalCheckFailed" not in reasons:
                raise
            if self._on_condition is not None:
                raise self._on_condition() from None
            raise Conflict("the consultation changed meanwhile; reload it") from None
