"""The API's own errors and the one place every error becomes the documented envelope."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy.exc import DataError, IntegrityError
from starlette.exceptions import HTTPException as StarletteHTTPException

from billing import errors as be


class ApiError(Exception):
    """An error the API answers itself: status, code and message."""

    status = 400
    code = "BAD_REQUEST"
    message = "Bad request."
    keep_changes = False

    def __init__(self, message: str | None = None, *, headers: dict[str, str] | None = None) -> None:
        super().__init__(message or self.message)
        self.message = message or self.message
        self.headers = headers or {}


class Unauthorized(ApiError):
    status, code, message = 401, "UNAUTHENTICATED", "Missing, expired or invalid credentials."


class TokenReused(Unauthorized):
    """A spent refresh token came back: its family is revoked and that must be kept."""

    keep_changes = True


class Forbidden(ApiError):
    status, code, message = 403, "FORBIDDEN", "This token may not do that."


class NotFoundError(ApiError):
    status, code, message = 404, "NOT_FOUND", "Resource not found."


class TooManyRequests(ApiError):
    status, code, message = 429, "RATE_LIMITED", "Too many requests."


class BodyTooLarge(StarletteHTTPException):
    """The request body passed the configured limit (ISPNOC_MAX_BODY_BYTES) while it was read."""

    def __init__(self, limit: int) -> None:
        super().__init__(413, too_large(limit)["error"]["message"])
        self.limit = limit


BILLING_STATUS: dict[type[be.BillingError], int] = {
    be.ValidationError: 422,
    be.NotFound: 404,
    be.Conflict: 409,
    be.InsufficientFunds: 422,
    be.RunInProgress: 409,
}
HTTP_CODES = {400: "BAD_REQUEST", 404: "NOT_FOUND", 405: "METHOD_NOT_ALLOWED", 409: "CONFLICT",
              413: "PAYLOAD_TOO_LARGE"}


def envelope(code: str, message: str, details: dict[str, Any] | None = None) -> dict[str, Any]:
    """The error body both versions use."""
    return {"error": {"code": code, "message": message, "details": details or {}}}


def too_large(limit: int) -> dict[str, Any]:
    """The 413 body: the limit, named under ``body``."""
    return envelope("PAYLOAD_TOO_LARGE", f"The request body is larger than {limit} bytes.",
                    {"body": [f"The request body must be at most {limit} bytes."]})


def billing_status(exc: be.BillingError) -> int:
    """The HTTP status of a billing error (the most specific class wins)."""
    for cls in type(exc).__mro__:
        if cls in BILLING_STATUS:
            return BILLING_STATUS[cls]
    return 400


def field_name(loc: tuple[Any, ...]) -> str:
    """``("body", "package_id")`` -> ``package_id``; the query/path/header prefix is dropped."""
    parts = [str(p) for p in loc if p not in ("body", "query", "path", "header")]
    return ".".join(parts) or "body"


def validation_details(errors: list[dict[str, Any]]) -> dict[str, list[str]]:
    """Per-field messages from pydantic's error list."""
    details: dict[str, list[str]] = {}
    for err in errors:
        details.setdefault(field_name(tuple(err.get("loc", ()))), []).append(str(err.get("msg", "invalid")))
    return details


def malformed_body(err: dict[str, Any]) -> bool:
    """Broken JSON, or a body that is not a JSON object at all (400, not a per-field 422)."""
    if err.get("type") == "json_invalid":
        return True
    not_object = err.get("type") in ("model_attributes_type", "dict_type")
    return tuple(err.get("loc", ())) == ("body",) and not_object


def _on_api_error(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, ApiError)
    return JSONResponse(envelope(exc.code, exc.message), status_code=exc.status, headers=exc.headers)


def _on_billing_error(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, be.BillingError)
    return JSONResponse(envelope(exc.code, exc.message, exc.details()), status_code=billing_status(exc))


def _on_validation(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    errors = list(exc.errors())
    if any(malformed_body(err) for err in errors):
        return JSONResponse(envelope("MALFORMED_JSON", "The request body is not a valid JSON object."),
                            status_code=400)
    details = validation_details(errors)
    return JSONResponse(envelope("VALIDATION_ERROR", "The given data was invalid.", details), status_code=422)


def _on_integrity(_request: Request, exc: Exception) -> JSONResponse:
    """A unique constraint lost a race (two requests at once): a conflict, not a 500."""
    return JSONResponse(envelope("CONFLICT", "The request conflicts with a concurrent change; retry."),
                        status_code=409)


def _on_out_of_range(_request: Request, exc: Exception) -> JSONResponse:
    """A number past the database's range (an id no record can have) or a value the column refuses."""
    return JSONResponse(envelope("VALIDATION_ERROR", "A value is outside the range the store accepts."),
                        status_code=422)


def _on_too_large(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, BodyTooLarge)
    return JSONResponse(too_large(exc.limit), status_code=413)


def _on_http(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    code = HTTP_CODES.get(exc.status_code, "HTTP_ERROR")
    return JSONResponse(envelope(code, str(exc.detail)), status_code=exc.status_code,
                        headers=getattr(exc, "headers", None))


def install(app: FastAPI) -> None:
    """Register the handlers (500s are answered by the request middleware)."""
    app.add_exception_handler(ApiError, _on_api_error)
    app.add_exception_handler(be.BillingError, _on_billing_error)
    app.add_exception_handler(RequestValidationError, _on_validation)
    app.add_exception_handler(StarletteHTTPException, _on_http)
    app.add_exception_handler(BodyTooLarge, _on_too_large)
    app.add_exception_handler(IntegrityError, _on_integrity)
    app.add_exception_handler(OverflowError, _on_out_of_range)
    app.add_exception_handler(DataError, _on_out_of_range)
