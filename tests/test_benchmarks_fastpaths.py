"""Fast paths added because the benchmark showed the need must not change any output.

Each fast path skips work when cheap checks prove the slow path would be a no-op; these
properties compare the two paths on arbitrary and on whitespace-heavy strings.
"""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from cleantext.filters import NormalizeWhitespace
from cleantext.filters.whitespace import _WHITESPACE, _may_change, _replace

_SPACEY = st.text(
    st.sampled_from(list("ab.\n\t\r \xa0\u2028\u2029\u3000\u1680\u202f\u2009\u205f\u0085\x0b")),
    max_size=40,
)


def _regex_path(text: str) -> str:
    return _WHITESPACE.sub(_replace, text)


@given(st.one_of(_SPACEY, st.text(max_size=60)))
def test_whitespace_fast_path_equals_the_regex_pass(text):
    assert NormalizeWhitespace()(text) == _regex_path(text)
    if not _may_change(text):
        assert _regex_path(text) == text


def test_whitespace_fast_path_is_taken_on_clean_text_and_not_on_damage():
    clean = "Title\n\nBlinken met Xi “on Monday”.\n\nHe left.\n"
    assert not _may_change(clean)
    for damaged in ("a \nb", "a\n\n\nb", "a\xa0b “x”", "a\r\nb", "\nx", "x\n\n", "x "):
        assert _may_change(damaged)
        assert NormalizeWhitespace()(damaged) != damaged
