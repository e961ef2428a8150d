"""File names from clients, made safe."""

from __future__ import annotations

import pytest

from guildhall.files import sniff
from guildhall.files.names import MAX_NAME_BYTES, MAX_NAME_CHARS, safe_filename

# One engine: file-name cleaning is a pure function.
pytestmark = pytest.mark.one_engine


class TestSafeFilename:
    @pytest.mark.parametrize(
        ("raw", "expected"),
        [
            ("photo.png", "photo.png"),
            ("../../etc/passwd.png", "passwd.png"),
            ("..\\..\\windows\\win.png", "win.png"),
            ("C:\\Users\\me\\cat.png", "cat.png"),
            ("a\x00b\x01c.png", "abc.png"),
            ("..png", "png.png"),
            ("...", "file.png"),
            ("", "file.png"),
            (None, "file.png"),
            ("/", "file.png"),
            ("..", "file.png"),
            (".hidden.png", "hidden.png"),
            ("two..dots.png", "two.dots.png"),
            ("spaces   inside .png", "spaces inside.png"),
            ('we"ird:na*me?#%.png', "we_ird_na_me___.png"),
            ("noext", "noext.png"),
            ("evil.exe", "evil.exe.png"),
            ("page.HTML", "page.HTML.png"),
            ("con.png", "_con.png"),
            ("name%22quoted%22.png", "name_quoted_.png"),
        ],
    )
    def test_examples(self, raw, expected):
        assert safe_filename(raw, sniff.PNG) == expected

    def test_unicode_is_nfc(self):
        assert safe_filename("cafe\u0301.png", sniff.PNG) == "caf\u00e9.png"

    def test_bidi_override_is_removed(self):
        # "invoice<RLO>gnp.exe" displays as "invoiceexe.png".
        assert safe_filename("invoice\u202egnp.exe", sniff.PNG) == "invoicegnp.exe.png"

    def test_long_names_keep_their_extension(self):
        name = safe_filename("x" * 500 + ".pdf", sniff.PDF)
        assert len(name) == MAX_NAME_CHARS and name.endswith(".pdf")

    def test_long_multibyte_names_fit_the_byte_budget(self):
        name = safe_filename("写" * 150 + ".txt", sniff.TEXT)
        assert len(name.encode()) <= MAX_NAME_BYTES and name.endswith(".txt")
        assert name.startswith("写")

    def test_text_keeps_source_code_extensions(self):
        assert safe_filename("main.py", sniff.TEXT) == "main.py"
        assert safe_filename("run.sh", sniff.TEXT) == "run.sh.txt"

    @pytest.mark.parametrize("raw", ["a/b", "a\\b", "x\x7f", "\u200b", "\n\r\t"])
    def test_never_separators_or_controls(self, raw):
        name = safe_filename(raw, sniff.TEXT)
        assert name and "/" not in name and "\\" not in name
        assert all(c.isprintable() for c in name)
