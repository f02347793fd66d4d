"""An ordered, immutable chain of filters: the unit that is configured, pickled and run."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cleantext.catalog import Catalog, load_catalog
from cleantext.errors import ConfigError, UnknownFilterError
from cleantext.filter import Edit, Filter, FilterBase, line_pieces
from cleantext.filters.encoding import FixMojibake, mojibake_left
from cleantext.registry import DEFAULT_ORDER, make_filter
from cleantext.report import Report

__all__ = ["BATCH_SIZE", "LONG_TEXT", "MAX_PASSES", "PIECE_CHARS", "Pipeline", "default_pipeline"]

#: At most this many passes when later filters expose new mojibake (see ``Pipeline._run``).
MAX_PASSES = 3
#: A text longer than this many characters goes through its line-local filters (see
#: ``FilterBase.line_local``) in pieces of about ``PIECE_CHARS`` characters of whole lines, one
#: piece through all of them before the next: a copy of each piece instead of several copies of
#: the whole text (a 50 MB text copied costs tens of thousands of page faults each time).
LONG_TEXT = 1 << 20
PIECE_CHARS = 1 << 16
#: Documents per call of :meth:`Pipeline.apply_many` where this package batches them (the
#: command line's shards, the Dask helpers): 1.22x one call each on news documents of a few
#: kB, 1.20x with 256; memory grows with the batch.
BATCH_SIZE = 64


def _pieces(text: str) -> Iterator[str]:
    """``text`` cut into pieces of whole lines of about ``PIECE_CHARS`` characters."""
    return line_pieces(text, PIECE_CHARS)


def _apply_by_pieces(filters: Sequence[Filter], text: str) -> str:
    """Each piece of ``text`` through every filter in turn; exact for line-local filters."""
    out = []
    for piece in _pieces(text):
        for f in filters:
            piece = f.apply(piece)
        out.append(piece)
    return "".join(out)


def _needs_another_pass(
    text: str, ran_mojibake: bool, after_mojibake: str | None, by_pieces: bool
) -> bool:
    """Whether a pass of the pipeline left mojibake that fix-mojibake would now repair.

    ftfy decides from context that later filters may change: stripping a trailing no-break
    space or an invisible character can complete a mojibake sequence. The pipeline runs again
    until the mojibake repair has nothing left to do, so cleaning is idempotent. Only the lines
    changed since fix-mojibake ran (``after_mojibake``: its output, when known) can need it.
    """
    if not ran_mojibake or text == after_mojibake:
        return False
    pieces = _pieces(text) if by_pieces else (text,)
    return any(mojibake_left(piece, after_mojibake) for piece in pieces)


def _run_filter_many(f: Filter, texts: list[str], edits: list[list[Edit]] | None) -> list[str]:
    """``f`` over each text, recording into each text's list of edits when given: in one call
    when ``f`` is a :class:`FilterBase` that keeps the base class's ``apply`` and ``explain``
    (its ``_run_many`` is then exact), else text by text."""
    cls = type(f)
    if (
        isinstance(f, FilterBase)
        and cls.apply is FilterBase.apply
        and cls.explain is FilterBase.explain
    ):
        return f._run_many(texts, edits)
    if edits is None:
        return [f.apply(text) for text in texts]
    out = []
    for text, found in zip(texts, edits, strict=True):
        text, new = f.explain(text)
        found.extend(new)
        out.append(text)
    return out


@dataclass(frozen=True, init=False)
class Pipeline:
    """Filters applied in order. Immutable and picklable, so it travels to worker processes.

    >>> from cleantext.filters import StrayPeriod, NormalizeWhitespace
    >>> p = Pipeline(StrayPeriod(), NormalizeWhitespace())
    >>> p("Done. .  \\n\\n\\n")
    'Done.\\n'
    >>> p.names
    ('stray-period', 'normalize-whitespace')
    """

    filters: tuple[Filter, ...]

    def __init__(self, *filters: Filter) -> None:
        names = [f.name for f in filters]
        duplicated = sorted({n for n in names if names.count(n) > 1})
        if duplicated:
            raise ConfigError(f"a pipeline holds each filter once; repeated: {duplicated}")
        object.__setattr__(self, "filters", tuple(filters))

    @classmethod
    def from_names(
        cls, names: Iterable[str], options: Mapping[str, Mapping[str, Any]] | None = None
    ) -> Pipeline:
        """Build a pipeline from filter names, with per-filter keyword options.

        >>> Pipeline.from_names(["stray-period", "normalize-whitespace"]).names
        ('stray-period', 'normalize-whitespace')
        """
        options = dict(options or {})
        names = list(names)
        stray = set(options) - set(names)
        if stray:
            raise ConfigError(f"options given for filters not in the pipeline: {sorted(stray)}")
        return cls(*(make_filter(n, **options.get(n, {})) for n in names))

    @property
    def names(self) -> tuple[str, ...]:
        """The filter names, in order."""
        return tuple(f.name for f in self.filters)

    def __iter__(self) -> Iterator[Filter]:
        return iter(self.filters)

    def __len__(self) -> int:
        return len(self.filters)

    def __getitem__(self, name: str) -> Filter:
        for f in self.filters:
            if f.name == name:
                return f
        raise UnknownFilterError(f"no filter {name!r} in this pipeline; it has: {self.names}")

    def __call__(self, text: str) -> str:
        return self._run(text, None)

    apply = __call__

    def explain(self, text: str) -> Report:
        """Run every filter, recording its edits; ``explain(x).text == self(x)``."""
        edits: list[Edit] = []
        text = self._run(text, edits)
        return Report(text, tuple(edits))

    def prepare(self) -> Pipeline:
        """Build now what the filters would build on their first text (the residue rules'
        compiled patterns, about half a second for the built-in catalog), and return the
        pipeline. Output is unchanged: this only moves that work earlier, to a moment that
        would otherwise be spent waiting (a worker process before its first shard). Filters
        without a ``prepare`` method are left as they are.

        >>> default_pipeline().prepare()("Advertisement\\nHe left.")
        'He left.'
        """
        for f in self.filters:
            prepare = getattr(f, "prepare", None)
            if callable(prepare):
                prepare()
        return self

    def apply_many(self, texts: Iterable[str]) -> list[str]:
        """``[self(text) for text in texts]``, faster on many texts: each filter runs over all
        of them before the next, and a filter that gains from it (strip-residue) works on
        them together. Batches of 32 to 256 short documents serve well; memory grows with the
        batch.

        >>> default_pipeline().apply_many(["Blinkenâ€™s visit", "Advertisement\\nHe left."])
        ['Blinken’s visit', 'He left.']
        """
        return self._run_many(list(texts), None)

    def explain_many(self, texts: Iterable[str]) -> list[Report]:
        """``[self.explain(text) for text in texts]``, faster on many texts (see
        :meth:`apply_many`).

        >>> reports = default_pipeline().explain_many(["He left.\\n\\nSee also More news", "Hi."])
        >>> [(r.text, [e.rule for e in r.edits]) for r in reports]
        [('He left.', ['blank-after-removal', 'en.navigation.see-also']), ('Hi.', [])]
        """
        texts = list(texts)
        edits: list[list[Edit]] = [[] for _ in texts]
        out = self._run_many(texts, edits)
        return [Report(text, tuple(found)) for text, found in zip(out, edits, strict=True)]

    def _run(self, text: str, edits: list[Edit] | None, passes: int = MAX_PASSES) -> str:
        by_pieces = edits is None and len(text) > LONG_TEXT
        for _ in range(passes):
            ran_mojibake = False
            after_mojibake = None  # the text as fix-mojibake left it, when that is known
            for group in self._groups() if by_pieces else [[f] for f in self.filters]:
                if by_pieces and getattr(group[0], "line_local", False):
                    text = _apply_by_pieces(group, text)
                    if any(f.name == "fix-mojibake" for f in group):
                        ran_mojibake, after_mojibake = True, None
                    continue
                f = group[0]
                if edits is None:
                    text = f.apply(text)
                else:
                    text, found = f.explain(text)
                    edits.extend(found)
                if f.name == "fix-mojibake":
                    ran_mojibake = True
                    after_mojibake = text if isinstance(f, FixMojibake) else None
            if not _needs_another_pass(text, ran_mojibake, after_mojibake, by_pieces):
                return text
        return text

    def _run_many(self, texts: list[str], edits: list[list[Edit]] | None) -> list[str]:
        """:meth:`_run` of each text, filter by filter over all the texts; a long text (over
        ``LONG_TEXT``), and a text that needs another pass, go on alone."""
        out = list(texts)
        batch = []
        for k, text in enumerate(texts):
            if len(text) > LONG_TEXT:
                out[k] = self._run(text, None if edits is None else edits[k])
            else:
                batch.append(k)
        if not batch:
            return out
        current = [texts[k] for k in batch]
        found = None if edits is None else [edits[k] for k in batch]
        ran_mojibake = False
        after_mojibake: list[str] | None = None
        for f in self.filters:
            current = _run_filter_many(f, current, found)
            if f.name == "fix-mojibake":
                ran_mojibake = True
                after_mojibake = list(current) if isinstance(f, FixMojibake) else None
        for j, k in enumerate(batch):
            text = current[j]
            after = None if after_mojibake is None else after_mojibake[j]
            if _needs_another_pass(text, ran_mojibake, after, False):
                # The rest of the passes, as _run would go on with them.
                text = self._run(text, None if found is None else found[j], MAX_PASSES - 1)
            out[k] = text
        return out

    def _groups(self) -> list[list[Filter]]:
        """The filters in order, consecutive line-local ones (``line_local``) grouped."""
        groups: list[list[Filter]] = []
        for f in self.filters:
            local = getattr(f, "line_local", False)
            if local and groups and getattr(groups[-1][0], "line_local", False):
                groups[-1].append(f)
            else:
                groups.append([f])
        return groups

    def without(self, *names: str) -> Pipeline:
        """A copy without the named filters (unknown names are an error)."""
        for name in names:
            self[name]
        return Pipeline(*(f for f in self.filters if f.name not in names))

    def only(self, *names: str) -> Pipeline:
        """A copy that keeps only the named filters, in pipeline order."""
        for name in names:
            self[name]
        return Pipeline(*(f for f in self.filters if f.name in names))

    def replace(self, new: Filter) -> Pipeline:
        """A copy with the filter of the same name swapped for ``new``."""
        self[new.name]
        return Pipeline(*(new if f.name == new.name else f for f in self.filters))

    def with_filter(
        self, new: Filter, *, before: str | None = None, after: str | None = None
    ) -> Pipeline:
        """A copy with ``new`` added: at the end, or before / after the named filter."""
        filters = list(self.filters)
        if before is not None:
            filters.insert(filters.index(self[before]), new)
        elif after is not None:
            filters.insert(filters.index(self[after]) + 1, new)
        else:
            filters.append(new)
        return Pipeline(*filters)

    def with_catalog(self, catalog: Catalog) -> Pipeline:
        """A copy whose residue filter uses ``catalog``."""
        from cleantext.filters import StripResidue

        return self.replace(StripResidue(catalog=catalog))

    def fingerprint(self) -> str:
        """A stable digest of the configuration: equal pipelines give equal fingerprints.

        Used to decide whether earlier outputs can be reused on resume.
        """
        from cleantext import __version__

        blob = "\n".join([__version__, *(repr(f) for f in self.filters)])
        return hashlib.sha256(blob.encode()).hexdigest()[:16]


def default_pipeline(*, catalog: Catalog | Sequence[str | Path] | None = None) -> Pipeline:
    """The default cleaning: mojibake, Unicode hygiene, residue lines, possessives,
    punctuation, whitespace. ``catalog`` is a :class:`Catalog` or extra rule files to add.

    >>> default_pipeline().names[0], default_pipeline().names[-1]
    ('fix-mojibake', 'normalize-whitespace')
    """
    options: dict[str, dict[str, Any]] = {}
    if catalog is not None:
        if not isinstance(catalog, Catalog):
            catalog = load_catalog(catalog)
        options["strip-residue"] = {"catalog": catalog}
    return Pipeline.from_names(DEFAULT_ORDER, options)
