"""A Babel extractor for the static pages' HTML: the text of every element marked `data-i18n`.

The phone app and the sender page translate those elements in the browser once their catalog
is loaded; `make messages` finds the texts through this extractor (see babel-app.cfg).
"""

from collections.abc import Collection, Iterator, Mapping
from html.parser import HTMLParser
from typing import IO, Any

Extracted = tuple[int, str | None, str, list[str]]


class _MarkedText(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[tuple[int, str]] = []
        self._open: list[tuple[str, int, list[str]]] = []  # tag, line, text so far

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if any(name == "data-i18n" for name, _ in attrs):
            self._open.append((tag, self.getpos()[0], []))

    def handle_data(self, data: str) -> None:
        if self._open:
            self._open[-1][2].append(data)

    def handle_endtag(self, tag: str) -> None:
        if self._open and self._open[-1][0] == tag:
            _, line, parts = self._open.pop()
            self.found.append((line, " ".join("".join(parts).split())))


def extract_marked_html(
    fileobj: IO[bytes],
    keywords: Collection[str],
    comment_tags: Collection[str],
    options: Mapping[str, Any],
) -> Iterator[Extracted]:
    """Yield (line, None, text, []) for each element with a data-i18n attribute."""
    parser = _MarkedText()
    parser.feed(fileobj.read().decode(options.get("encoding", "utf-8")))
    parser.close()
    for line, text in parser.found:
        if text:
            yield line, None, text, []
