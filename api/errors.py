"""Domain errors and validation failures as HTTP answers with a readable message.

A domain error's message is translated into the most wanted language of the request's
Accept-Language that the portal's catalog speaks (the phone app sends the user's choice); values
are filled in after the look-up. Content-Language names the language the text is actually in:
English for a message the catalog lacks and for validation failures.
"""

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse

from domain.errors import (
    Conflict,
    ConsentRequired,
    DeviceRevoked,
    DomainError,
    InvalidImage,
    InvalidInput,
    LinkClosed,
    NotAuthenticated,
    NotFound,
    NotPermitted,
    Throttled,
    TooLarge,
    WrongPin,
)
from ui.i18n import choose_language, render

STATUS = {
    NotFound: 404,
    NotPermitted: 403,
    NotAuthenticated: 401,
    ConsentRequired: 409,
    Conflict: 409,
    InvalidInput: 422,
    InvalidImage: 422,
    TooLarge: 413,
    LinkClosed: 410,
    Throttled: 429,
}


def status_of(error: DomainError) -> int:
    for kind, status in STATUS.items():
        if isinstance(error, kind):
            return status
    return 400


async def domain_error_handler(request: Request, error: Exception) -> JSONResponse:
    if not isinstance(error, DomainError):
        raise error
    wanted = choose_language(None, request.headers.get("accept-language"))
    detail, language = render(error.wording, wanted)
    body: dict[str, object] = {"detail": detail}
    if isinstance(error, InvalidInput) and error.field:
        body["field"] = error.field
    headers = {"Cache-Control": "no-store"}
    if isinstance(error, DeviceRevoked):
        body["device_revoked"] = True  # the phone app wipes itself on this marker
    if isinstance(error, WrongPin):
        body["tries_left"] = error.tries_left
    if isinstance(error, Throttled):
        headers["Retry-After"] = str(error.retry_after_s)
    headers["Content-Language"] = language
    headers["Vary"] = "Accept-Language"
    return JSONResponse(body, status_code=status_of(error), headers=headers)


async def validation_error_handler(request: Request, error: Exception) -> JSONResponse:
    if not isinstance(error, RequestValidationError):
        raise error
    problems = []
    for item in error.errors():
        where = ".".join(str(part) for part in item.get("loc", ()) if part != "body")
        problems.append(f"{where}: {item.get('msg', 'invalid')}" if where else item.get("msg"))
    body = {"detail": "; ".join(str(p) for p in problems)}
    return JSONResponse(body, status_code=422, headers={"Content-Language": "en"})


def install_error_handlers(app: FastAPI) -> None:
    app.add_exception_handler(DomainError, domain_error_handler)
    app.add_exception_handler(RequestValidationError, validation_error_handler)
