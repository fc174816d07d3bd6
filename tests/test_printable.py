"""The line formats' escaping of control and direction characters (reporters/printable.py)."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from itscm_compiler.reporters.printable import _UNSAFE, _all_safe, printable, printable_lines

# ASCII (the fast path), C1 controls, direction marks, surrogates of a
# non-UTF-8 name, and anything else.
_TEXT = st.text(
    st.one_of(
        st.characters(max_codepoint=0x7F),
        st.sampled_from("\x85\x9b\u061c\u200e\u202e\u2066\udc9b\udcff\u2028é"),
        st.characters(),
    )
)


@given(st.lists(_TEXT, max_size=5))
def test_the_quick_check_agrees_with_the_pattern(lines: list[str]) -> None:
    text = "".join(lines)
    assert _all_safe(text) == (_UNSAFE.search(text) is None)
    assert printable_lines(lines) == "\n".join(printable(line) for line in lines) + "\n"


def test_every_ascii_control_is_caught_on_the_ascii_path() -> None:
    for code in [*range(0x20), 0x7F]:
        line = f"services/a{chr(code)}b.yaml:1:1: error"
        assert not _all_safe(line), code
        assert chr(code) not in printable_lines([line]).rstrip("\n"), code
    assert _all_safe("".join(map(chr, range(0x20, 0x7F))))
