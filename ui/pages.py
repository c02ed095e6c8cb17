"""Registers the portal's pages, one module per page or area."""

from ui import account, admin, audit, credentials, login, members, patient, patients, series


def register_pages() -> None:
    for module in (login, credentials, account, members, audit, patients, patient, series, admin):
        module.register()
