"""The Danish catalogs hold every message the portal, the domain and the phone app show, with
their placeholders intact; a message marked in code but missing from its catalog (a stale
catalog: run `make messages`) or left untranslated fails here."""

import re
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir

from ui import i18n
from ui.html_messages import extract_marked_html
from ui.i18n import choose_language

ROOT = Path(__file__).resolve().parents[2]
# The same keywords as `make messages`: _() and ngettext() in the portal, and the messages
# of the domain's errors, which pages show translated.
KEYWORDS = {
    "_": None,
    "ngettext": (1, 2),
    "worded": None,
    "counted": (1, 2),
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
# The phone app and the sender page: the same as babel-app.cfg, babel-link.cfg, `make messages`.
SCRIPT_KEYWORDS = {"_": None, "ngettext": (1, 2)}
SCRIPT_PAGES = {"app": ROOT / "ui" / "pwa", "link": ROOT / "ui" / "link"}
PLACEHOLDER = re.compile(r"%\(\w+\)[sd]|%[sd]")

Message = str | tuple[str, str]


def as_key(message: str | tuple[str, ...]) -> Message:
    return message if isinstance(message, str) else (message[0], message[1])


def extracted() -> set[Message]:
    found: set[Message] = set()
    for folder in ("ui", "domain"):
        for _, _, message, _, _ in extract_from_dir(
            ROOT / folder, method_map=[("**.py", "python")], keywords=KEYWORDS
        ):
            found.add(as_key(message))
    return found


def extracted_from_page(folder: Path) -> set[Message]:
    found = extract_from_dir(
        folder,
        method_map=[("**.js", "javascript"), ("index.html", extract_marked_html)],  # type: ignore[list-item]
        options_map={"**.js": {"parse_template_string": "true"}},
        keywords=SCRIPT_KEYWORDS,
    )
    return {as_key(message) for _, _, message, _, _ in found}


def test_every_message_has_a_danish_translation():
    catalog = i18n.load_catalog("da")

    missing = sorted(str(message) for message in extracted() if message not in catalog)

    assert missing == [], f"add these to ui/locale/da/LC_MESSAGES/messages.po: {missing}"


@pytest.mark.parametrize("domain", ["app", "link"])
def test_every_message_of_the_phone_app_and_sender_page_has_a_danish_translation(domain):
    catalog = i18n.load_catalog("da", domain)

    marked = extracted_from_page(SCRIPT_PAGES[domain])
    missing = sorted(str(message) for message in marked if message not in catalog)

    assert len(marked) > 30, "the extraction found the page's texts"
    assert missing == [], f"run `make messages`, then translate in {domain}.po: {missing}"


def test_marked_html_and_plural_forms_are_extracted():
    marked = extracted_from_page(SCRIPT_PAGES["app"])

    assert "Opening…" in marked
    assert ("%(count)s try left.", "%(count)s tries left.") in marked


def test_the_phone_app_gets_its_catalog_as_json():
    catalog = i18n.script_catalog("app", "da")

    assert catalog["messages"]["Sign in"] == "Log ind"
    assert catalog["plurals"]["%(count)s try left."] == [
        "%(count)s forsøg tilbage.",
        "%(count)s forsøg tilbage.",
    ]
    assert i18n.script_catalog("app", "en") == {"messages": {}, "plurals": {}}


@pytest.mark.parametrize("domain", ["messages", "app", "link"])
def test_translations_keep_their_placeholders(domain):
    catalog = i18n.load_catalog("da", domain)

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


def test_browser_languages_are_taken_by_weight_and_exact_primary_subtag():
    assert choose_language(None, "en;q=0.1, da;q=0.9") == "da"
    assert choose_language(None, "da;q=0, en") == "en"
    assert choose_language(None, "dav, en") == "en"
    assert choose_language(None, "da-DK;q=0.5, en;q=0.5") == "da"  # a tie keeps header order
    assert choose_language(None, "en;q=abc, da;q=0.2") == "da"  # a malformed weight is skipped
    assert choose_language(None, "x y z, ;q=1, da") == "da"
    assert choose_language(None, "de," * 50 + "da") == "en"  # only the first parts are looked at


def test_worded_messages_are_translated_before_their_values_are_filled_in():
    from domain.errors import counted, worded

    one = counted("Wrong PIN. %(count)s try left.", "Wrong PIN. %(count)s tries left.", 1)
    four = counted("Wrong PIN. %(count)s try left.", "Wrong PIN. %(count)s tries left.", 4)
    unknown = worded("Not in any catalog: %(n)s.", n=3)

    assert one.english() == "Wrong PIN. 1 try left."
    assert i18n.render(four, "en") == ("Wrong PIN. 4 tries left.", "en")
    assert i18n.render(one, "da") == ("Forkert pinkode. 1 forsøg tilbage.", "da")
    assert i18n.render(four, "da") == ("Forkert pinkode. 4 forsøg tilbage.", "da")
    assert i18n.render(unknown, "da") == ("Not in any catalog: 3.", "en")


def test_messages_dates_and_numbers_follow_the_language():
    from datetime import date

    i18n.use_language("da")
    danish = (i18n._("Patients"), i18n.format_day(date(2026, 12, 4)), i18n.format_count(12345))
    i18n.use_language("en")
    english = (i18n._("Patients"), i18n.format_day(date(2026, 12, 4)), i18n.format_count(12345))

    assert danish == ("Patienter", "4. dec. 2026", "12.345")
    assert english == ("Patients", "Dec 4, 2026", "12,345")
