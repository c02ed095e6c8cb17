"""Registers the portal's pages."""


def register_pages() -> None:
    from ui import placeholder  # noqa: F401
