"""Registers the portal's pages, one module per page or area."""

from ui import (
    account,
    acute,
    admin,
    audit,
    compare,
    credentials,
    dashboard,
    devices,
    external,
    login,
    members,
    my_series,
    patient,
    patients,
    search_page,
    series,
)


def register_pages() -> None:
    for module in (
        login,
        credentials,
        account,
        members,
        audit,
        dashboard,
        patients,
        patient,
        series,
        compare,
        search_page,
        my_series,
        acute,
        admin,
        devices,
        external,
    ):
        module.register()
