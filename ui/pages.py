"""Registers the portal's pages, one module per page or area."""

from ui import (
    acute,
    admin,
    compare,
    dashboard,
    devices,
    login,
    my_series,
    patient,
    patients,
    search_page,
    series,
)


def register_pages() -> None:
    for module in (
        login,
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
    ):
        module.register()
