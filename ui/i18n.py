"""Danish and English for the portal: gettext catalogs read through Babel, chosen per user.

Text in code is English and marked with `_()`; `ui/locale/da/LC_MESSAGES/messages.po` holds
the Danish. The language of a page comes from the member's choice (kept on their user row)
or else the browser's Accept-Language, and is remembered per connected browser tab so that
event handlers speak the same language as the page that drew them. Dates, numbers and
taxonomy titles follow it too. The phone app and the external sender's page have catalogs
of their own (`app.po`, `link.po`), which `script_catalog` hands their scripts as JSON.
"""

import contextlib
import functools
import re
import weakref
from contextvars import ContextVar
from datetime import date, datetime
from pathlib import Path
from typing import Literal

from babel.dates import format_date as babel_date, format_datetime as babel_datetime
from babel.messages.pofile import read_po
from babel.numbers import format_decimal
from nicegui import Client, context

from domain.errors import DomainError, Wording
from domain.search import LOCAL_ZONE

Language = Literal["da", "en"]
LANGUAGES: tuple[Language, ...] = ("da", "en")
DEFAULT_LANGUAGE: Language = "en"
CATALOG_DIR = Path(__file__).parent / "locale"
LANGUAGE_NAMES = {"da": "Dansk", "en": "English"}
_BY_TAG: dict[str, Language] = {"da": "da", "en": "en"}
MAX_LANGUAGE_PARTS = 20  # a header longer than this is not a browser's
_TAG = re.compile(r"\*|[A-Za-z]{1,8}(-[A-Za-z0-9]{1,8})*")
_QVALUE = re.compile(r"0(\.[0-9]{0,3})?|1(\.0{0,3})?")

# A script of the page asking the API: its answer, errors included, in the page's language.
LANGUAGE_HEADER = '"Accept-Language": document.documentElement.lang || "en"'

_current: ContextVar[Language | None] = ContextVar("sutura_language", default=None)
_by_client: "weakref.WeakKeyDictionary[Client, Language]" = weakref.WeakKeyDictionary()


def load_catalog(
    language: str, domain: str = "messages"
) -> dict[str | tuple[str, str], str | tuple[str, ...]]:
    """msgid (or singular/plural pair) to translation, leaving out empty and fuzzy entries."""
    path = CATALOG_DIR / language / "LC_MESSAGES" / f"{domain}.po"
    with path.open("rb") as file:
        catalog = read_po(file, locale=language)
    found: dict[str | tuple[str, str], str | tuple[str, ...]] = {}
    for message in catalog:
        if not message.id or message.fuzzy:
            continue
        key = message.id if isinstance(message.id, str) else (message.id[0], message.id[1])
        if isinstance(message.string, str) and message.string:
            found[key] = message.string
        elif isinstance(message.string, tuple) and all(message.string):
            found[key] = tuple(message.string)
    return found


_CATALOGS = {"da": load_catalog("da")}


def current_language() -> Language:
    chosen = _current.get()
    if chosen is not None:
        return chosen
    with contextlib.suppress(RuntimeError, AttributeError):
        return _by_client.get(context.client, DEFAULT_LANGUAGE)
    return DEFAULT_LANGUAGE


def use_language(language: Language) -> None:
    """Speak this language in the current task and on the current page's browser tab."""
    _current.set(language)
    with contextlib.suppress(RuntimeError, AttributeError):
        _by_client[context.client] = language


def choose_language(preference: str | None, accept_language: str | None) -> Language:
    """The member's choice, else the browser's most wanted language we speak, else English."""
    if preference in _BY_TAG:
        return _BY_TAG[preference]
    for tag in wanted_tags(accept_language):
        primary = tag.split("-")[0]
        if primary in _BY_TAG:
            return _BY_TAG[primary]
    return DEFAULT_LANGUAGE


def wanted_tags(accept_language: str | None) -> list[str]:
    """Accept-Language's tags by weight (RFC 9110 12.5.4), ties in header order, q=0 left out."""
    weighted: list[tuple[float, int, str]] = []
    for place, part in enumerate((accept_language or "").split(",")[:MAX_LANGUAGE_PARTS]):
        tag, *parameters = (piece.strip() for piece in part.split(";"))
        weight = _weight(parameters)
        if tag and _TAG.fullmatch(tag) and weight:
            weighted.append((-weight, place, tag.lower()))
    return [tag for _weight_, _place, tag in sorted(weighted)]


def _weight(parameters: list[str]) -> float | None:
    """The q-value, 1 when absent, None when malformed."""
    if not parameters:
        return 1.0
    name, _sep, value = parameters[0].partition("=")
    if name.strip().lower() != "q" or not _QVALUE.fullmatch(value.strip()):
        return None
    return float(value)


def translate(message: str, language: Language) -> str:
    """The message in this language (English text is its own translation)."""
    if language == "en":
        return message
    found = _CATALOGS[language].get(message)
    return found if isinstance(found, str) else message


def render(wording: Wording, language: Language) -> tuple[str, Language]:
    """The wording filled in, in this language if the catalog has it, else in English."""
    if language == "en":
        return wording.english(), "en"
    key = wording.singular if wording.plural is None else (wording.singular, wording.plural)
    found = _CATALOGS[language].get(key)
    if isinstance(found, tuple):
        found = found[0 if wording.values.get("count") == 1 else 1]
    if not found:
        return wording.english(), "en"
    return (found % wording.values if wording.values else found), language


def error_text(error: DomainError) -> str:
    """A domain error's message in the current language."""
    return render(error.wording, current_language())[0]


def _(message: str) -> str:
    """The message in the current language."""
    return translate(message, current_language())


def ngettext(singular: str, plural: str, count: int) -> str:
    language = current_language()
    found = _CATALOGS.get(language, {}).get((singular, plural)) if language != "en" else None
    if isinstance(found, tuple):
        return found[0 if count == 1 else 1]
    return singular if count == 1 else plural


@functools.cache
def script_catalog(domain: str, language: Language) -> dict[str, dict[str, str | list[str]]]:
    """A script page's catalog as JSON: singular messages, and plural forms by their singular."""
    if language == "en":
        return {"messages": {}, "plurals": {}}
    messages: dict[str, str | list[str]] = {}
    plurals: dict[str, str | list[str]] = {}
    for key, translation in load_catalog(language, domain).items():
        if isinstance(key, str) and isinstance(translation, str):
            messages[key] = translation
        elif isinstance(key, tuple) and isinstance(translation, tuple):
            plurals[key[0]] = list(translation)
    return {"messages": messages, "plurals": plurals}


def aria(label: str) -> str:
    """An aria-label property for .props(), quoted so that labels may contain spaces."""
    return f'aria-label="{label}"'


def format_day(day: date | None) -> str:
    return babel_date(day, format="medium", locale=current_language()) if day else ""


def format_moment(moment: datetime | None) -> str:
    if moment is None:
        return ""
    local = moment.astimezone(LOCAL_ZONE)
    return babel_datetime(local, format="medium", tzinfo=LOCAL_ZONE, locale=current_language())


def format_count(number: int) -> str:
    return format_decimal(number, locale=current_language())
