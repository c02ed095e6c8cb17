"""The Danish catalog holds every message the portal and the domain show, placeholders intact."""

import re
from pathlib import Path

from babel.messages.extract import extract_from_dir

from ui import i18n
from ui.i18n import choose_language

ROOT = Path(__file__).resolve().parents[2]
# The same keywords as `make messages`: _() and ngettext() in the portal, and the messages
# of the domain's errors, which pages show translated.
KEYWORDS = {
    "_": None,
    "ngettext": (1, 2),
    **{
        name: None
        for name in (
            "NotFound",
            "NotPermitted",
            "NotAuthenticated",
            "ConsentRequired",
            "Conflict",
            "InvalidInput",
            "InvalidImage",
            "TooLarge",
        )
    },
}
PLACEHOLDER = re.compile(r"%\(\w+\)[sd]|%[sd]")


def extracted() -> set[str | tuple[str, str]]:
    found: set[str | tuple[str, str]] = set()
    for folder in ("ui", "domain"):
        for _, _, message, _, _ in extract_from_dir(
            ROOT / folder, method_map=[("**.py", "python")], keywords=KEYWORDS
        ):
            found.add(message if isinstance(message, str) else (message[0], message[1]))
    return found


def test_every_message_has_a_danish_translation():
    catalog = i18n.load_catalog("da")

    missing = sorted(str(message) for message in extracted() if message not in catalog)

    assert missing == [], f"add these to ui/locale/da/LC_MESSAGES/messages.po: {missing}"


def test_translations_keep_their_placeholders():
    catalog = i18n.load_catalog("da")

    broken = []
    for message, translation in catalog.items():
        sources = [message] if isinstance(message, str) else list(message)
        targets = [translation] if isinstance(translation, str) else list(translation)
        for source, target in zip(sources, targets, strict=False):
            if sorted(PLACEHOLDER.findall(source)) != sorted(PLACEHOLDER.findall(target)):
                broken.append(source)

    assert broken == []


def test_language_follows_the_choice_then_the_browser():
    assert choose_language("da", "en-GB,en;q=0.9") == "da"
    assert choose_language(None, "da-DK,da;q=0.9,en;q=0.8") == "da"
    assert choose_language(None, "de-DE,en;q=0.5") == "en"
    assert choose_language(None, None) == "en"


def test_messages_dates_and_numbers_follow_the_language():
    from datetime import date

    i18n.use_language("da")
    danish = (i18n._("Patients"), i18n.format_day(date(2026, 12, 4)), i18n.format_count(12345))
    i18n.use_language("en")
    english = (i18n._("Patients"), i18n.format_day(date(2026, 12, 4)), i18n.format_count(12345))

    assert danish == ("Patienter", "4. dec. 2026", "12.345")
    assert english == ("Patients", "Dec 4, 2026", "12,345")
