"""Who may do what: the one place every read and change asks.

Membership decides visibility: an object in a cluster the member does not belong to does
not exist for them (NotFound, never NotPermitted, so ids cannot be probed). The role then
decides the action (NotPermitted). Photos are further gated by consent for the purpose.
"""

from enum import StrEnum
from uuid import UUID

from domain.errors import NotFound, NotPermitted
from domain.model import Principal, Role, Scope, Series


class Action(StrEnum):
    VIEW_PATIENTS = "view_patients"
    EDIT_PATIENTS = "edit_patients"
    VIEW_PHOTOS = "view_photos"
    UPLOAD_PHOTOS = "upload_photos"
    MANAGE_SERIES = "manage_series"
    MANAGE_CONSENT = "manage_consent"
    MANAGE_MEMBERS = "manage_members"
    VIEW_AUDIT = "view_audit"


_CLINICAL = frozenset(
    {
        Action.VIEW_PATIENTS,
        Action.EDIT_PATIENTS,
        Action.VIEW_PHOTOS,
        Action.UPLOAD_PHOTOS,
        Action.MANAGE_SERIES,
        Action.MANAGE_CONSENT,
    }
)

PERMISSIONS: dict[Role, frozenset[Action]] = {
    Role.CLINICIAN: _CLINICAL,
    Role.SECRETARY: frozenset({Action.VIEW_PATIENTS, Action.EDIT_PATIENTS}),
    Role.CLUSTER_ADMIN: _CLINICAL | {Action.MANAGE_MEMBERS, Action.VIEW_AUDIT},
}


def can(principal: Principal, action: Action, cluster_id: UUID) -> bool:
    role = principal.role_in(cluster_id)
    return role is not None and action in PERMISSIONS[role]


def require(principal: Principal, action: Action, cluster_id: UUID, *, what: str) -> None:
    """Raise NotFound outside the member's clusters and NotPermitted for a role that may not."""
    if principal.role_in(cluster_id) is None:
        raise NotFound(f"No such {what}.")
    if not can(principal, action, cluster_id):
        raise NotPermitted(f"Your role does not allow this ({action.value.replace('_', ' ')}).")


def require_photos_visible(
    principal: Principal, series: Series, purpose: Scope = Scope.CLINICAL
) -> None:
    """Photos of a series are visible only to clinical roles and only under consent."""
    require(principal, Action.VIEW_PHOTOS, series.cluster_id, what="photo")
    if not has_photo_consent(series, purpose):
        raise NotFound("No such photo.")


def has_photo_consent(series: Series, purpose: Scope = Scope.CLINICAL) -> bool:
    """Consent for the purpose, and always for clinical documentation; an acute (unidentified)
    patient's emergency photos need none until the patient is identified."""
    if series.is_acute and purpose == Scope.CLINICAL:
        return True
    return series.has_consent(Scope.CLINICAL) and series.has_consent(purpose)


def may_see_photos(principal: Principal, series: Series) -> bool:
    return can(principal, Action.VIEW_PHOTOS, series.cluster_id) and has_photo_consent(series)


def require_series_visible(principal: Principal, series: Series) -> None:
    """A series whose clinical consent was withdrawn is hidden from all but the cluster admin;
    an acute patient's series only clinicians see."""
    require(principal, Action.VIEW_PATIENTS, series.cluster_id, what="series")
    role = principal.role_in(series.cluster_id)
    if series.is_withdrawn and role != Role.CLUSTER_ADMIN:
        raise NotFound("No such series.")
    if series.is_acute and not can(principal, Action.VIEW_PHOTOS, series.cluster_id):
        raise NotFound("No such series.")


def may_see_series(principal: Principal, series: Series) -> bool:
    try:
        require_series_visible(principal, series)
    except (NotFound, NotPermitted):
        return False
    return True


def require_acute_access(principal: Principal, cluster_id: UUID) -> None:
    """Acute (unidentified) patients exist only for the cluster's clinicians."""
    if not can(principal, Action.VIEW_PHOTOS, cluster_id):
        raise NotFound("No such patient.")


def may_see_withdrawal_reason(principal: Principal, cluster_id: UUID) -> bool:
    return principal.role_in(cluster_id) == Role.CLUSTER_ADMIN


def require_system_admin(principal: Principal) -> None:
    if not principal.user.is_system_admin:
        raise NotPermitted("Only a system administrator may do this.")


def require_cluster_admin(principal: Principal, action: Action, cluster_id: UUID) -> None:
    """Members and audit of a cluster: its cluster admins, or a system admin for any cluster."""
    if principal.user.is_system_admin:
        return
    require(principal, action, cluster_id, what="cluster")


def may_administer(principal: Principal, cluster_id: UUID) -> bool:
    return principal.user.is_system_admin or can(principal, Action.MANAGE_MEMBERS, cluster_id)
