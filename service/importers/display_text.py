"""Titles and names read from a tracker, made printable for the contract, with a note naming each one changed.

The contract refuses control, line-break and bidirectional-formatting characters in display text
(`api_schemas.common.NOT_IN_TEXT`). Trackers store such titles (a line break in an Excel cell, a pasted
right-to-left override), and refusing a whole import for one title helps nobody: the importers take the
characters out here, line breaks as spaces, and say so where the planner reads the import's notes.
"""

from __future__ import annotations

from api_schemas.common import forbidden_text_character, printable_text
from service.importers.result import ImportNote

#: Longest display text the contract accepts (`api_schemas.common.Text`).
TEXT_CHARS = 300


def importable_text(text: str, where: str, ids: list[str], notes: list[ImportNote]) -> str:
    """`text` as the contract takes it (printable, one line, at most 300 characters); a change is noted.

    `where` names the text for the planner ("backlog.csv row 4, column Summary (#12)"); the note is
    'text_cleaned' when characters were taken out. Longer text is cut with an ellipsis, as before.
    """
    found = forbidden_text_character(text)
    if found is not None:
        text = printable_text(text)
        note = ImportNote("text_cleaned", f"{where}: held {found} (a control, line-break or bidirectional-formatting "
                          "character), which reports, calendars and terminals would show or obey; taken out, line "
                          "breaks as spaces.", ids)
        if note not in notes:  # the same milestone or assignee is met once per issue
            notes.append(note)
    return text if len(text) <= TEXT_CHARS else text[: TEXT_CHARS - 1] + "…"
