"""Broken possessives of names: "Blinkens’ visit" back to "Blinken’s visit".

Scrapers and machine translation sometimes move the apostrophe of a singular name's possessive
after an extra "s". Real plural possessives look the same ("the Smiths’ home", "Americans’
views"), so the filter acts only on document-level evidence: the name appears in the same
document in singular form, never as a plain plural, and it is not a group noun.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from importlib import resources
from typing import ClassVar

import regex

from cleantext.filter import Edit, FilterBase

__all__ = ["RepairPossessives", "builtin_group_nouns"]

# Candidates: a capitalized word ending in "s" plus an apostrophe that ends the word.
_CANDIDATE = regex.compile(r"(?<![\p{L}\p{N}’'])(\p{Lu}\p{Ll}{2,30})s([’'])(?![\p{L}\p{N}])")
_PRECEDED_BY_THE = regex.compile(r"(?:^|\W)(?:the|The|THE)\s+$")
_GROUP_SUFFIXES = ("ian", "ean", "ese", "ite", "ist")


def builtin_group_nouns() -> frozenset[str]:
    """Lower-case capitalized plurals that are groups, read from the English catalog."""
    data = tomllib.loads(
        resources.files("cleantext.catalog").joinpath("en.toml").read_text("utf-8")
    )
    return frozenset(data.get("possessives", {}).get("group_nouns", ()))


def _has_singular(text: str, name: str) -> bool:
    # "Blinken" as a word of its own (or "Blinken’s"), not inside "Blinkens" or "Blinkenship".
    return (
        regex.search(rf"(?<![\p{{L}}\p{{N}}]){regex.escape(name)}(?![\p{{L}}\p{{N}}])", text)
        is not None
    )


def _has_plain_plural(text: str, name: str) -> bool:
    # "Blinkens" not followed by an apostrophe: the plural is real, so the possessive may be too.
    return (
        regex.search(rf"(?<![\p{{L}}\p{{N}}]){regex.escape(name)}s(?![\p{{L}}\p{{N}}’'])", text)
        is not None
    )


@dataclass(frozen=True)
class RepairPossessives(FilterBase):
    """Move a misplaced apostrophe back: "Blinkens’" becomes "Blinken’s" when the document
    shows "Blinken" and never a plain plural "Blinkens".

    >>> RepairPossessives()("Antony Blinken met Xi. Blinkens’ visit was short.")
    'Antony Blinken met Xi. Blinken’s visit was short.'
    >>> RepairPossessives()("The American people spoke. Americans’ views differ.")
    'The American people spoke. Americans’ views differ.'
    >>> RepairPossessives()("Mr. Smith came home. The Smiths’ home was empty.")
    'Mr. Smith came home. The Smiths’ home was empty.'
    """

    name: ClassVar[str] = "repair-possessives"
    group_nouns: frozenset[str] = field(default_factory=builtin_group_nouns, repr=False)

    def _run(self, text: str, edits: list[Edit] | None) -> str:
        if "s’" not in text and "s'" not in text:
            return text
        verdicts: dict[str, bool] = {}
        out: list[str] = []
        last = 0
        for match in _CANDIDATE.finditer(text):
            singular, apostrophe = match.group(1), match.group(2)
            if _PRECEDED_BY_THE.search(text, max(0, match.start() - 8), match.start()):
                continue  # "the Smiths’ home": a family or a team, plural on purpose
            if singular not in verdicts:
                verdicts[singular] = self._is_broken(text, singular)
            if not verdicts[singular]:
                continue
            fixed = f"{singular}{apostrophe}s"
            out.append(text[last : match.start()])
            out.append(fixed)
            last = match.end()
            if edits is not None:
                edits.append(Edit(self.name, "name-possessive", "possessive", match.start(),
                                  match.end(), match.group(), fixed))  # fmt: skip
        if not out:
            return text
        out.append(text[last:])
        return "".join(out)

    def _is_broken(self, text: str, singular: str) -> bool:
        lower = singular.lower()
        if lower in self.group_nouns or lower.endswith(_GROUP_SUFFIXES):
            return False
        return _has_singular(text, singular) and not _has_plain_plural(text, singular)
