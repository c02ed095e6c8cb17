"""Acute patients: unidentified patients created in an emergency, identified later.

# NOTE: a minimal version for the phone app; the portal's acute patients (identification
# and merging) live with the portal's patient pages and may replace this module.
"""

from uuid import UUID

from domain.audit import record
from domain.model import Patient, Principal
from domain.policy import Action, require
from domain.ports import NewPatient, Ports


async def create_acute_patient(ports: Ports, principal: Principal, cluster_id: UUID) -> Patient:
    """Create an unidentified patient named by the time it was created; no CPR."""
    require(principal, Action.EDIT_PATIENTS, cluster_id, what="cluster")
    name = f"Acute patient {ports.clock():%Y-%m-%d %H:%M} UTC"
    new = NewPatient(cluster_id, name, None, None, None, principal.user.id)
    patient = await ports.clinical.add_patient(new)
    await record(
        ports,
        principal,
        "patient.create_acute",
        cluster_id=cluster_id,
        object_type="patient",
        object_id=patient.id,
    )
    return patient
