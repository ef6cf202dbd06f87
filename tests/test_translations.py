"""A Chinese user never reads English the system wrote: every message the code marks for
translation has a Chinese translation that is not a guess (fuzzy).

The catalogue is regenerated from the code into a temporary copy, so a new string without a
translation fails here, not in front of a user."""

import os
import shutil
from pathlib import Path

import pytest
from django.core.management import call_command

PROJECT = Path(__file__).resolve().parent.parent
CATALOGUE = PROJECT / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"


def _entries(po_text: str) -> list[tuple[list[str], str, str]]:
    """(comment lines, msgid, msgstr) for each entry of a .po file (continuations joined)."""
    entries, comments, field, values = [], [], None, {"msgid": "", "msgstr": ""}
    for line in [*po_text.splitlines(), ""]:
        if not line.strip():
            if field is not None:
                entries.append((comments, values["msgid"], values["msgstr"]))
            comments, field, values = [], None, {"msgid": "", "msgstr": ""}
        elif line.startswith("#"):
            comments.append(line)
        elif line.startswith(("msgid ", "msgstr ", "msgid_plural ", "msgstr[")):
            key, _sep, rest = line.partition(" ")
            field = "msgid" if key == "msgid" else "msgstr" if key.startswith("msgstr") else None
            if field:
                values[field] += rest.strip()[1:-1]
        elif line.startswith('"') and field:
            values[field] += line.strip()[1:-1]
    return [e for e in entries if e[1]]  # the header has an empty msgid


@pytest.fixture(scope="module")
def regenerated() -> str:
    """The catalogue as makemessages makes it from the code today; the committed file is put
    back afterwards."""
    if shutil.which("xgettext") is None:
        pytest.fail("xgettext (gettext) is needed to check the translations")
    original, cwd = CATALOGUE.read_bytes(), Path.cwd()
    os.chdir(PROJECT)  # makemessages reads the tree below the current directory
    try:
        call_command(
            "makemessages", locale=["zh_Hans"], ignore_patterns=[".venv", ".data", "bench"],
            verbosity=0,
        )  # fmt: skip
        return CATALOGUE.read_text()
    finally:
        CATALOGUE.write_bytes(original)
        os.chdir(cwd)


def test_every_message_in_the_code_has_a_chinese_translation(regenerated):
    missing = [msgid for _c, msgid, msgstr in _entries(regenerated) if not msgstr]
    assert missing == [], f"{len(missing)} messages without a Chinese translation: {missing[:20]}"


def test_no_translation_is_a_fuzzy_guess(regenerated):
    fuzzy = [msgid for comments, msgid, _s in _entries(regenerated) if any(
        c.startswith("#,") and "fuzzy" in c for c in comments
    )]  # fmt: skip
    assert fuzzy == [], f"fuzzy (unchecked) translations: {fuzzy[:20]}"
