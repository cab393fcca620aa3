"""One BCP 47 test for every rule: RFC 5646 well-formedness (the section 2.1 ABNF), no registry lookups.

https://www.rfc-editor.org/rfc/rfc5646#section-2.1
"""
from __future__ import annotations

import pytest

from conformance.core import predicates
from conformance.core.predicates import is_language_tag
from conformance.standards.ctdl.core import checks as ctdl_checks

WELL_FORMED = [
    "en", "en-US", "zh-Hant-TW", "sr-Latn-RS", "es-419", "de-CH-1901", "sl-rozaj-biske", "x-private",
    "en-a-bbb-x-ccc", "de-DE-u-co-phonebk",
    "abcde",                 # 5-8 letters: a registered primary language subtag, by shape
    "qaa",                   # private-use range of the registry, still 2-3 letters
    "abcd",                  # 4 letters: reserved, yet in the ABNF
    "zh-yue-HK",             # an extlang
    "zh-abc-def-ghi",        # up to three extlangs
    "de-1901-1901",          # repeated variant: "valid" forbids it (section 2.2.9), the ABNF does not
    "en-a-bbb-a-ccc",        # repeated singleton: likewise
    "EN-us", "X-PRIVATE",    # case-insensitive
    # grandfathered, irregular and regular, in any case
    "i-klingon", "I-KLINGON", "en-GB-oed", "i-default", "sgn-CH-DE", "zh-min-nan", "art-lojban", "zh-min",
    "cel-gaulish", "no-bok",
]

NOT_WELL_FORMED = [
    "", "e", "en-", "-en", "en--US", "abcdefghi", "en-US-", "x", "en-x", "i-notgrandfathered", "123", "en_US",
    "en-a", "en-a-b",
    "zh-abc-def-ghi-jkl",    # four extlangs
    "en-x-abcdefghi",        # private-use subtag longer than 8
    "en-US-x",               # x with no subtag
    "i-klingon-x",           # grandfathered tags are whole tags, not prefixes
    "en\n", " en", "en ",     # no surrounding whitespace, not even the newline `$` would let through
    "i-\u212alingon",        # KELVIN SIGN lowercases to k: not ASCII, not a tag
    "en-\u0130N",            # non-ASCII letters
]


@pytest.mark.parametrize("tag", WELL_FORMED)
def test_well_formed_tags_are_accepted(tag: str) -> None:
    assert is_language_tag(tag) is True


@pytest.mark.parametrize("tag", NOT_WELL_FORMED)
def test_tags_that_are_not_well_formed_are_refused(tag: str) -> None:
    assert is_language_tag(tag) is False


@pytest.mark.parametrize("value", [None, 1, ["en"], {"en": "x"}, b"en"])
def test_only_strings_are_tags(value: object) -> None:
    assert is_language_tag(value) is False


def test_ctdl_uses_the_shared_predicate() -> None:
    assert ctdl_checks.is_language_tag is predicates.is_language_tag


@pytest.mark.parametrize(("tag", "coded"), [
    ("en", True), ("zh-Hant-TW", True), ("x-private", True), ("X-Private", True), ("i-klingon", True),
    ("en-GB-oed", True), ("english", False), ("abcd", False), ("abcde-US", False),
])
def test_a_coded_language_asks_for_a_primary_subtag_of_two_or_three_letters(tag: str, coded: bool) -> None:
    assert is_language_tag(tag)                       # every one is well-formed
    assert is_language_tag(tag, coded_language=True) is coded
