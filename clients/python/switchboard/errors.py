"""The one error the SDK raises, with the protocol's codes (docs/errors.md)."""

from __future__ import annotations

from typing import Optional

#: Codes where the very same request may simply be sent again later (ErrorCode.retriable in Java).
RETRIABLE = frozenset({"BUSY", "UNAVAILABLE"})
#: Codes after which the client allocates a new session and carries on from its cursor or writer id.
REALLOCATE = frozenset({"SESSION_LOST", "DRAINING"})


class SwitchboardError(Exception):
    """A protocol error (code, message, and expected_seq / retry_after_ms where the server set them), or a
    transport failure (code UNAVAILABLE) once retries are spent."""

    def __init__(self, code: str, message: str, *, retriable: Optional[bool] = None,
                 expected_seq: Optional[int] = None, retry_after_ms: Optional[int] = None,
                 status: Optional[int] = None) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.retriable = code in RETRIABLE if retriable is None else retriable
        self.expected_seq = expected_seq
        self.retry_after_ms = retry_after_ms
        self.status = status

    @property
    def needs_reallocation(self) -> bool:
        """True for SESSION_LOST and DRAINING: allocate a new session and go on from the cursor or writer id."""
        return self.code in REALLOCATE

    def __str__(self) -> str:
        return self.message
