"""Signing in and out of the API (the portal and the phone app share these sessions)."""

from fastapi import APIRouter, Response
from pydantic import BaseModel, ConfigDict, Field

from api.deps import SESSION_COOKIE, PortsDep, PrincipalDep, SettingsDep
from api.schemas import MeOut, me_out
from domain import accounts

router = APIRouter(tags=["auth"])


class LoginIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    email: str = Field(max_length=254)
    password: str = Field(max_length=accounts.MAX_PASSWORD_LENGTH)


@router.post("/auth/login")
async def login(body: LoginIn, response: Response, ports: PortsDep, settings: SettingsDep) -> MeOut:
    token, principal = await accounts.sign_in(ports, body.email, body.password)
    response.set_cookie(
        SESSION_COOKIE,
        token,
        max_age=settings.session_absolute_hours * 3600,
        httponly=True,
        secure=settings.is_tls,
        samesite="strict",
        path="/",
    )
    return await me_out(ports, principal)


@router.post("/auth/logout", status_code=204)
async def logout(principal: PrincipalDep, ports: PortsDep, settings: SettingsDep) -> Response:
    await accounts.sign_out(ports, principal)
    response = Response(status_code=204)
    response.delete_cookie(
        SESSION_COOKIE, path="/", secure=settings.is_tls, httponly=True, samesite="strict"
    )
    return response


@router.get("/me")
async def me(principal: PrincipalDep, ports: PortsDep) -> MeOut:
    return await me_out(ports, principal)
