"""Registers the portal's pages, one module per page or area."""

from ui import admin, devices, login, patient, patients, series


def register_pages() -> None:
    for module in (login, patients, patient, series, admin, devices):
        module.register()
