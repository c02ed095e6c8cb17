"""Signing in and out, passwords, invitations and one's own sessions over the API.

The portal and the phone app share these sessions: an HttpOnly, SameSite=Strict cookie.
"""

from uuid import UUID

from fastapi import APIRouter, Response
from pydantic import BaseModel, ConfigDict, Field

from api.deps import SESSION_COOKIE, ClientDep, PortsDep, PrincipalDep, SettingsDep
from api.schemas import MeOut, me_out
from domain import accounts, credentials, invitations, sessions
from domain.passwords import MAX_PASSWORD_LENGTH
from settings import Settings

router = APIRouter(tags=["auth"])
RESET_ANSWER = "If this address belongs to an account, a link to reset the password is on its way."


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class LoginIn(Strict):
    email: str = Field(max_length=254)
    password: str = Field(max_length=MAX_PASSWORD_LENGTH)


class ResetRequestIn(Strict):
    email: str = Field(max_length=254)


class NewPasswordIn(Strict):
    token: str = Field(max_length=100)
    password: str = Field(max_length=MAX_PASSWORD_LENGTH)


class TokenIn(Strict):
    token: str = Field(max_length=100)


class PasswordChangeIn(Strict):
    current_password: str = Field(max_length=MAX_PASSWORD_LENGTH)
    new_password: str = Field(max_length=MAX_PASSWORD_LENGTH)


class MessageOut(BaseModel):
    detail: str


class InvitationStatusOut(BaseModel):
    state: str
    email: str
    cluster_name: str


class SessionOut(BaseModel):
    id: UUID
    created_at: str
    last_seen_at: str
    user_agent: str
    client_address: str
    is_current: bool


def set_session_cookie(response: Response, settings: Settings, token: str) -> None:
    response.set_cookie(
        SESSION_COOKIE,
        token,
        max_age=settings.session_absolute_hours * 3600,
        httponly=True,
        secure=settings.is_tls,
        samesite="strict",
        path="/",
    )


@router.post("/auth/login")
async def login(
    body: LoginIn, response: Response, ports: PortsDep, settings: SettingsDep, client: ClientDep
) -> MeOut:
    token, principal = await accounts.sign_in(ports, body.email, body.password, client)
    set_session_cookie(response, settings, token)
    return await me_out(ports, principal)


@router.post("/auth/logout", status_code=204)
async def logout(principal: PrincipalDep, ports: PortsDep, settings: SettingsDep) -> Response:
    await accounts.sign_out(ports, principal)
    response = Response(status_code=204)
    response.delete_cookie(
        SESSION_COOKIE, path="/", secure=settings.is_tls, httponly=True, samesite="strict"
    )
    return response


@router.post("/auth/password-reset", status_code=202)
async def ask_for_password_reset(
    body: ResetRequestIn, ports: PortsDep, client: ClientDep
) -> MessageOut:
    """The same answer whether or not the address is known; the link goes out by mail."""
    await credentials.ask_for_reset(ports, body.email, client)
    return MessageOut(detail=RESET_ANSWER)


@router.post("/auth/password-reset/complete", status_code=204)
async def complete_password_reset(body: NewPasswordIn, ports: PortsDep) -> Response:
    await credentials.reset_password(ports, body.token, body.password)
    return Response(status_code=204)


@router.post("/invitations/status")
async def invitation_status(body: TokenIn, ports: PortsDep) -> InvitationStatusOut:
    status = await invitations.link_status(ports, body.token)
    return InvitationStatusOut(
        state=status.state.value, email=status.email, cluster_name=status.cluster_name
    )


@router.post("/invitations/accept", status_code=204)
async def accept_invitation(body: NewPasswordIn, ports: PortsDep) -> Response:
    await invitations.accept(ports, body.token, body.password)
    return Response(status_code=204)


@router.post("/invitations/renewal", status_code=202)
async def ask_for_new_invitation(body: TokenIn, ports: PortsDep) -> MessageOut:
    await invitations.ask_for_new_link(ports, body.token)
    return MessageOut(detail="We have asked the person who invited you to send a new invitation.")


@router.get("/me")
async def me(principal: PrincipalDep, ports: PortsDep) -> MeOut:
    return await me_out(ports, principal)


@router.post("/me/password", status_code=204)
async def change_password(
    body: PasswordChangeIn,
    principal: PrincipalDep,
    ports: PortsDep,
    settings: SettingsDep,
    client: ClientDep,
) -> Response:
    """Every session ends, this one included; the answer carries a fresh session cookie."""
    token = await credentials.change_password(
        ports, principal, body.current_password, body.new_password, client
    )
    response = Response(status_code=204)
    set_session_cookie(response, settings, token)
    return response


@router.get("/me/sessions")
async def my_sessions(principal: PrincipalDep, ports: PortsDep) -> list[SessionOut]:
    return [
        SessionOut(
            id=s.id,
            created_at=s.created_at.isoformat(),
            last_seen_at=s.last_seen_at.isoformat(),
            user_agent=s.user_agent,
            client_address=s.client_address,
            is_current=s.is_current,
        )
        for s in await sessions.my_sessions(ports, principal)
    ]


@router.delete("/me/sessions/{session_id}", status_code=204)
async def end_session(session_id: UUID, principal: PrincipalDep, ports: PortsDep) -> Response:
    await sessions.end_my_session(ports, principal, session_id)
    return Response(status_code=204)


@router.post("/me/sessions/end-others")
async def end_other_sessions(principal: PrincipalDep, ports: PortsDep) -> dict[str, int]:
    return {"ended": await sessions.end_other_sessions(ports, principal)}
