"""The join page's English texts are the catalogue's, and every one it shows has a key."""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser
from pathlib import Path

from chalicelib.i18n import catalogue

PAGE = Path(__file__).resolve().parents[2] / "web" / "j"


class _Texts(HTMLParser):
    """The `data-text` elements' keys and texts, and the script's English texts."""

    def __init__(self) -> None:
        super().__init__()
        self.labelled: dict[str, str] = {}
        self.scripted: dict[str, str] = {}
        self._key: str | None = None
        self._in_english_texts = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        self._key = attributes.get("data-text")
        self._in_english_texts = attributes.get("id") == "english-texts"

    def handle_data(self, data: str) -> None:
        if self._key is not None:
            self.labelled[self._key] = data.strip()
            self._key = None
        elif self._in_english_texts:
            self.scripted = json.loads(data)
            self._in_english_texts = False


def page_texts() -> _Texts:
    parser = _Texts()
    parser.feed((PAGE / "index.html").read_text("utf-8"))
    return parser


def test_the_english_in_the_page_is_the_english_catalogues() -> None:
    texts = page_texts()
    for key, shown in {**texts.labelled, **texts.scripted}.items():
        assert shown == catalogue.text("en", key), key


def test_every_join_text_is_in_the_page_and_every_status_the_script_says_has_english() -> None:
    texts = page_texts()
    join_keys = {key for key in catalogue.page_texts("en") if key.startswith("page.join.")}
    shown = texts.labelled.keys() | texts.scripted.keys()
    assert join_keys == {key for key in shown if key.startswith("page.join.")}
    said = set(re.findall(r'say\("([\w.]+)"', (PAGE / "join.js").read_text("utf-8")))
    assert said and said <= texts.scripted.keys()


def test_every_text_the_patient_page_names_is_in_the_catalogue() -> None:
    """Each `page.*` key written out in the page's modules and the receipt page exists (the
    catalogues' tests check that every language has the same keys)."""
    known = set(catalogue.page_texts("en"))
    sources = [*PAGE.glob("*.js"), *PAGE.glob("*.html")]
    named = {
        key
        for source in sources
        for key in re.findall(
            r"[\"'`](page\.[a-z_]+(?:\.[a-z0-9_]+)+)[\"'`]", source.read_text("utf-8")
        )
    }
    assert len(named) > 50
    assert named - known == set()
