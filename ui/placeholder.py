from nicegui import ui


@ui.page("/")
def index() -> None:
    ui.label("Sutura")
