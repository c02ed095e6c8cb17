"""Consent per series and purpose: recording it and withdrawing it, with effect at once."""

import uuid
from dataclasses import dataclass
from enum import StrEnum
from typing import TypeVar
from uuid import UUID

from domain.audit import record
from domain.errors import Conflict, InvalidInput, NotFound
from domain.model import Consent, ConsentMethod, GivenBy, Principal, Scope, Series
from domain.policy import Action, require, require_series_visible
from domain.ports import Ports

MAX_REASON_LENGTH = 500
ALL_SCOPES = "all"


class WithdrawalChannel(StrEnum):
    """How the patient asked to withdraw."""

    IN_PERSON = "in_person"
    PHONE = "phone"
    EMAIL = "email"
    LETTER = "letter"
    DIGITAL_MAIL = "digital_mail"


E = TypeVar("E", Scope, GivenBy, ConsentMethod, WithdrawalChannel)


@dataclass(frozen=True)
class ConsentForm:
    scopes: tuple[str, ...]
    given_by: str
    method: str


async def record_consent(
    ports: Ports, principal: Principal, series_id: UUID, form: ConsentForm
) -> Series:
    """Record consent for one or more scopes; scopes already held are left as they are."""
    series = await _series(ports, principal, series_id)
    scopes = _parse_scopes(form.scopes)
    given_by = _parse(GivenBy, form.given_by, "given_by", "Given by")
    method = _parse(ConsentMethod, form.method, "method", "Method")
    now = ports.clock()
    for scope in scopes:
        if series.has_consent(scope):
            continue
        consent = Consent(uuid.uuid4(), series.id, scope, given_by, method, principal.user.id, now)
        await ports.clinical.add_consent(consent)
        await record(
            ports,
            principal,
            "consent.record",
            cluster_id=series.cluster_id,
            object_type="consent",
            object_id=consent.id,
        )
    return await _series(ports, principal, series_id)


async def withdraw_consent(
    ports: Ports,
    principal: Principal,
    series_id: UUID,
    scope: str,
    reason: str,
    channel: str | None = None,
) -> Series:
    """Withdraw one scope, or every scope with "all"; photos stop being visible for that
    purpose at once. Withdrawing clinical documentation hides the series from all but the
    cluster admin and starts the retention clock."""
    series = await _series(ports, principal, series_id)
    if scope == ALL_SCOPES:
        active = [c for c in series.consents if c.is_active]
    else:
        wanted = _parse(Scope, scope, "scope", "Scope")
        active = [c for c in series.consents if c.scope == wanted and c.is_active]
    if not active:
        raise Conflict("The series holds no active consent for this purpose.")
    reason = " ".join(reason.split())
    if not reason or len(reason) > MAX_REASON_LENGTH:
        raise InvalidInput("Say briefly why and how the consent was withdrawn.", field="reason")
    if channel is not None:
        channel = _parse(WithdrawalChannel, channel, "channel", "how the patient asked").value
    for consent in active:
        await ports.clinical.withdraw_consent(
            consent.id, ports.clock(), principal.user.id, reason, channel
        )
        await record(
            ports,
            principal,
            "consent.withdraw",
            cluster_id=series.cluster_id,
            object_type="consent",
            object_id=consent.id,
        )
    # Not _series(): after withdrawing clinical documentation the series is hidden from the
    # member who recorded it, who still needs to see the outcome.
    updated = await ports.clinical.get_series(series_id)
    if updated is None:
        raise NotFound("No such series.")
    return updated


async def _series(ports: Ports, principal: Principal, series_id: UUID) -> Series:
    series = await ports.clinical.get_series(series_id)
    if series is None:
        raise NotFound("No such series.")
    require(principal, Action.MANAGE_CONSENT, series.cluster_id, what="series")
    require_series_visible(principal, series)
    return series


def _parse_scopes(values: tuple[str, ...]) -> tuple[Scope, ...]:
    if not values:
        raise InvalidInput("Choose at least one purpose the patient consents to.", field="scopes")
    return tuple(dict.fromkeys(_parse(Scope, v, "scopes", "Scope") for v in values))


def _parse(kind: type[E], value: str, field: str, what: str) -> E:
    try:
        return kind(value)
    except ValueError:
        choices = ", ".join(member.value for member in kind)
        raise InvalidInput(
            f"{what} {value!r} is unknown; choose one of {choices}.", field=field
        ) from None
