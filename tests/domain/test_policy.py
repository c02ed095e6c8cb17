import uuid
from datetime import UTC, datetime

import pytest

from domain.errors import NotFound, NotPermitted
from domain.model import (
    Consent,
    ConsentMethod,
    GivenBy,
    Principal,
    Role,
    Scope,
    Series,
    User,
)
from domain.policy import Action, require, require_photos_visible

CLUSTER = uuid.uuid4()
OTHER_CLUSTER = uuid.uuid4()
NOW = datetime(2026, 12, 4, tzinfo=UTC)


def member(role: Role) -> Principal:
    user = User(uuid.uuid4(), "a@example.org", "a", False, True)
    return Principal(user, "session", {CLUSTER: role})


def series_with(*scopes: Scope, withdrawn: bool = False) -> Series:
    series_id = uuid.uuid4()
    consents = tuple(
        Consent(
            uuid.uuid4(),
            series_id,
            scope,
            GivenBy.PATIENT,
            ConsentMethod.VERBAL,
            uuid.uuid4(),
            NOW,
            withdrawn_at=NOW if withdrawn else None,
        )
        for scope in scopes
    )
    return Series(
        series_id,
        uuid.uuid4(),
        CLUSTER,
        "face",
        None,
        ("DC430",),
        (),
        None,
        uuid.uuid4(),
        NOW,
        consents,
    )


def test_objects_of_another_cluster_do_not_exist_for_a_member():
    with pytest.raises(NotFound):
        require(member(Role.CLUSTER_ADMIN), Action.VIEW_PATIENTS, OTHER_CLUSTER, what="patient")


def test_secretary_edits_patients_but_may_not_view_photos():
    secretary = member(Role.SECRETARY)

    require(secretary, Action.EDIT_PATIENTS, CLUSTER, what="patient")

    with pytest.raises(NotPermitted):
        require(secretary, Action.VIEW_PHOTOS, CLUSTER, what="photo")


def test_only_cluster_admin_manages_members():
    require(member(Role.CLUSTER_ADMIN), Action.MANAGE_MEMBERS, CLUSTER, what="cluster")
    with pytest.raises(NotPermitted):
        require(member(Role.CLINICIAN), Action.MANAGE_MEMBERS, CLUSTER, what="cluster")


def test_photos_need_active_consent_for_the_purpose():
    clinician = member(Role.CLINICIAN)

    require_photos_visible(clinician, series_with(Scope.CLINICAL))

    with pytest.raises(NotFound):
        require_photos_visible(clinician, series_with(Scope.CLINICAL), Scope.TEACHING)
    with pytest.raises(NotFound):
        require_photos_visible(clinician, series_with(Scope.CLINICAL, withdrawn=True))
