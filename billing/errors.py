"""The billing domain's errors: one root, each naming the field it is about."""

from __future__ import annotations


class BillingError(Exception):
    """Root of every billing error; ``field`` names the offending input when there is one."""

    code = "BILLING_ERROR"

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field

    def details(self) -> dict[str, list[str]]:
        """Per-field messages, in the API's error envelope shape."""
        return {self.field: [self.message]} if self.field else {}


class ValidationError(BillingError):
    """The input is invalid (field named)."""

    code = "VALIDATION_ERROR"


class NotFound(BillingError):
    """A referenced record does not exist (or is outside the caller's operator)."""

    code = "NOT_FOUND"


class Conflict(BillingError):
    """The request clashes with the current state (a used voucher, a duplicate username)."""

    code = "CONFLICT"


class InsufficientFunds(BillingError):
    """Moving the money would pass a balance's credit limit."""

    code = "INSUFFICIENT_FUNDS"


class RunInProgress(BillingError):
    """Another suspension run holds the lock."""

    code = "RUN_IN_PROGRESS"
