"""The CLI's console shows vendor control characters as \\uXXXX, and keeps the line breaks of its own messages."""
from __future__ import annotations

import io

from conformance.cli.common import PrintableConsole


def shown(text: str) -> str:
    out = io.StringIO()
    PrintableConsole(file=out, highlight=False, emoji=False, width=200).print(text, markup=False)
    return out.getvalue()


def test_a_message_that_starts_with_a_blank_line_keeps_it() -> None:
    assert shown("\n15 subject(s): 15 pass") == "\n15 subject(s): 15 pass\n"


def test_a_newline_inside_a_message_is_shown_not_obeyed() -> None:
    assert shown("a vendor says\nverdict: pass") == "a vendor says\\u000averdict: pass\n"


def test_terminal_escapes_are_shown_not_obeyed() -> None:
    assert shown("\u001b[31mred\u202e") == "\\u001b[31mred\\u202e\n"
