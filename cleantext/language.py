"""Language detection (seeded langdetect, on a sample) and the ``keep-languages`` filter.

Detection is *not* on the default path: langdetect costs about 2 ms per document even on a
1,000-character sample. The residue catalog applies the rules of every supported language at
once instead. Use detection where language really matters: to keep or flag documents by
language (:class:`KeepLanguages`), or to restrict the residue rules to the document's language
(:func:`strip_residue_for`).

Profiles are loaded once per process, under a lock (langdetect's own lazy loading races when
several threads make their first call at once), into a private factory seeded with 0, so the
result is the same on every run and in every thread.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import ClassVar

from cleantext.errors import ConfigError
from cleantext.filter import Edit, FilterBase

__all__ = ["SAMPLE", "KeepLanguages", "detect", "strip_residue_for"]

SAMPLE = 1000  # characters of the document that detection reads
MIN_LETTERS = 40  # fewer letters than this: too little to tell, the language is "unknown"
UNKNOWN = "unknown"

_FACTORY = None
_LOCK = threading.Lock()


def _factory():
    global _FACTORY
    if _FACTORY is None:
        with _LOCK:
            if _FACTORY is None:
                from langdetect.detector_factory import PROFILES_DIRECTORY, DetectorFactory

                factory = DetectorFactory()
                factory.load_profile(PROFILES_DIRECTORY)
                factory.set_seed(0)  # per factory, not langdetect's global: deterministic
                _FACTORY = factory
    return _FACTORY


def _sample(text: str, size: int) -> str:
    """The middle of the document: headers and footers are where residue and names are."""
    if len(text) <= size:
        return text
    start = (len(text) - size) // 2
    return text[start : start + size]


def detect(text: str, *, sample: int = SAMPLE) -> str:
    """The language of ``text`` as an ISO 639-1 code ("en", "de", "zh-cn", ...), read from a
    ``sample``-character slice of its middle; ``"unknown"`` when there is too little text.

    >>> detect("Die Bundesregierung hat am Mittwoch den Haushalt für 2025 beschlossen.")
    'de'
    >>> detect("OK")
    'unknown'
    """
    from langdetect.lang_detect_exception import LangDetectException

    piece = _sample(text, sample)
    if sum(1 for ch in piece if ch.isalpha()) < MIN_LETTERS:
        return UNKNOWN
    detector = _factory().create()
    detector.append(piece)
    try:
        return detector.detect()
    except LangDetectException:
        return UNKNOWN


def strip_residue_for(text: str):
    """A residue filter restricted to the rules of ``text``'s language (and the neutral ones);
    the full catalog when the language is unknown or has no rules of its own.

    >>> text = "Die Bundesregierung hat am Mittwoch den Haushalt beschlossen, sagte sie."
    >>> strip_residue_for(text).languages
    ('de',)
    """
    from cleantext.catalog import builtin_catalog
    from cleantext.filters import StripResidue

    language = detect(text)
    if language in builtin_catalog().languages:
        return StripResidue(languages=(language,))
    return StripResidue()


@dataclass(frozen=True)
class KeepLanguages(FilterBase):
    """Keep documents in ``languages``; drop the others (the text becomes ``""``) or, with
    ``action="flag"``, leave them as they are and record their language in ``explain``.

    Documents too short to tell are kept (``keep_unknown``), since dropping text on a guess
    loses data.

    >>> keep = KeepLanguages(languages=("en",))
    >>> keep("Die Bundesregierung hat am Mittwoch den Haushalt für 2025 beschlossen.")
    ''
    >>> keep("The government approved the budget for next year on Wednesday, officials said.")[:14]
    'The government'
    """

    name: ClassVar[str] = "keep-languages"
    languages: tuple[str, ...] = ("en",)
    action: str = "drop"
    sample: int = SAMPLE
    keep_unknown: bool = True

    def __post_init__(self) -> None:
        languages = (self.languages,) if isinstance(self.languages, str) else self.languages
        object.__setattr__(self, "languages", tuple(languages))
        if not self.languages or not all(isinstance(x, str) and x for x in self.languages):
            raise ConfigError("keep-languages: 'languages' must name at least one language code")
        if self.action not in ("drop", "flag"):
            raise ConfigError(
                f"keep-languages: action must be 'drop' or 'flag', not {self.action!r}"
            )
        if not isinstance(self.sample, int) or self.sample < 50:
            raise ConfigError("keep-languages: 'sample' must be an integer of at least 50")

    def _run(self, text: str, edits: list[Edit] | None) -> str:
        if not text:
            return text
        language = detect(text, sample=self.sample)
        if language in self.languages or (language == UNKNOWN and self.keep_unknown):
            return text
        metadata = (("language", language),)
        if self.action == "flag":
            if edits is not None:
                edits.append(Edit(self.name, "other-language", "language", 0, 0, "", "", metadata))
            return text
        if edits is not None:
            edits.append(
                Edit(self.name, "other-language", "language", 0, len(text), text, "", metadata)
            )
        return ""
