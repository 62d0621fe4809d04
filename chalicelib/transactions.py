"""DynamoDB transactions on the consultation table whose failed conditions are client errors.

A `TransactWrite` whose condition fails raises `TransactWriteError`; here that becomes the
error the caller chose (else `Conflict`), so a race between two clinicians ends in a 4xx
with a clear message, never a 500, and nothing of the transaction is written.
"""

from __future__ import annotations

from collections.abc import Callable

from pynamodb.connection import Connection
from pynamodb.exceptions import TransactWriteError
from pynamodb.transactions import TransactWrite

from chalicelib.errors import ClientError, Conflict
from chalicelib.models import ConsultationItem


class ConsultationTransaction(TransactWrite):
    """A `TransactWrite` whose failed condition becomes a client error, not a 500."""

    def __init__(
        self, connection: Connection, on_condition: Callable[[], ClientError] | None
    ) -> None:
        super().__init__(connection=connection)
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


def consultation_transaction(
    on_condition: Callable[[], ClientError] | None = None,
) -> ConsultationTransaction:
    """A transaction on the models' own connection: the stage's region and endpoint."""
    return ConsultationTransaction(ConsultationItem._get_connection().connection, on_condition)
