"""The content sniffer, type by type: accepted samples, refusals, polyglots."""

from __future__ import annotations

import io
import zipfile

import pytest

from guildhall.files import sniff
from guildhall.files.sniff import Refused
from tests.files import samples

# One engine: the sniffer is a pure function.
pytestmark = pytest.mark.one_engine

# Text types are chosen by name among the text types; every other type by bytes only.
BINARY = [s for s in samples.ACCEPTED if not s[2].startswith("text/") and "json" not in s[2]]


def kind(data: bytes, name: str | None = None) -> sniff.FileType:
    return sniff.sniff(io.BytesIO(data), name)


def refused(data: bytes, name: str | None = None) -> str:
    with pytest.raises(Refused) as err:
        kind(data, name)
    return str(err.value)


class TestAcceptedTypes:
    @pytest.mark.parametrize(("name", "data", "mimetype"), samples.ACCEPTED)
    def test_each_allowed_type_is_recognised(self, name, data, mimetype):
        assert kind(data, name).mimetype == mimetype

    @pytest.mark.parametrize(("name", "data", "mimetype"), BINARY)
    def test_binary_types_ignore_the_name(self, name, data, mimetype):
        assert kind(data, "misleading.txt").mimetype == mimetype
        assert kind(data, None).mimetype == mimetype


class TestImages:
    @pytest.mark.parametrize("fmt", ["PNG", "JPEG", "GIF", "WEBP"])
    def test_real_images_pass_the_pillow_check(self, fmt):
        found = kind(samples.image(fmt, (16, 9)))
        assert found.is_image and found.image_format == fmt

    def test_huge_declared_png_is_refused_from_its_header(self):
        assert "too large" in refused(samples.png_declaring(100_000, 100_000))

    def test_huge_declared_gif_is_refused(self):
        assert "too large" in refused(samples.gif_declaring(65_535, 65_535))

    def test_png_just_under_the_pixel_bound_is_not_refused_for_size(self):
        info = sniff.inspect_image(
            io.BytesIO(samples.png((64, 64))), frozenset({"PNG"}), max_pixels=64 * 64
        )
        assert (info.width, info.height) == (64, 64)
        with pytest.raises(Refused):
            sniff.inspect_image(
                io.BytesIO(samples.png((64, 64))), frozenset({"PNG"}), max_pixels=64 * 64 - 1
            )

    def test_truncated_png_is_refused(self):
        data = samples.png((32, 32))
        refused(data[: len(data) // 2])

    def test_corrupted_png_checksum_is_refused(self):
        data = bytearray(samples.png((8, 8)))
        data[30] ^= 0xFF  # inside IHDR: its CRC no longer matches
        refused(bytes(data))

    def test_signature_alone_is_not_an_image(self):
        refused(b"\x89PNG\r\n\x1a\n" + b"\x00" * 40)
        refused(b"\xff\xd8\xff\xe0" + b"garbage" * 10)
        refused(b"RIFF\x10\x00\x00\x00WEBPVP8 " + b"\x00" * 20)

    def test_animation_is_reported(self):
        info = sniff.inspect_image(
            io.BytesIO(samples.image("GIF", frames=3)), frozenset({"GIF"}), 10**6
        )
        assert info.animated
        still = sniff.inspect_image(io.BytesIO(samples.image("GIF")), frozenset({"GIF"}), 10**6)
        assert not still.animated

    def test_format_outside_the_allowed_set_is_refused(self):
        with pytest.raises(Refused):
            sniff.inspect_image(io.BytesIO(samples.image("GIF")), frozenset({"PNG"}), 10**6)

    def test_max_side_bounds_each_dimension(self):
        with pytest.raises(Refused):
            sniff.inspect_image(
                io.BytesIO(samples.png((40, 2))), frozenset({"PNG"}), 10**6, max_side=32
            )


class TestDocumentsAndArchives:
    def test_pdf_without_end_marker_is_refused(self):
        refused(b"%PDF-1.4\n1 0 obj<<>>endobj\n")

    def test_plain_zip_stays_zip_even_named_docx(self):
        assert kind(samples.ZIP, "report.docx").mimetype == "application/zip"

    def test_ooxml_needs_its_main_part(self):
        data = samples.zip_of(
            {
                "[Content_Types].xml": (
                    "application/vnd.openxmlformats-officedocument."
                    "wordprocessingml.document.main+xml"
                )
            }
        )
        assert kind(data).mimetype == "application/zip"

    def test_odf_needs_mimetype_as_first_entry(self):
        data = samples.zip_of(
            {"content.xml": "<x/>", "mimetype": "application/vnd.oasis.opendocument.text"}
        )
        assert kind(data).mimetype == "application/zip"

    def test_damaged_zip_is_refused(self):
        refused(b"PK\x03\x04" + b"\x00" * 100)

    def test_self_extracting_exe_with_zip_inside_is_refused(self):
        refused(samples.PE + samples.ZIP)

    def test_tar_needs_ustar_magic_and_valid_checksum(self):
        data = bytearray(samples.TAR)
        assert kind(bytes(data)).mimetype == "application/x-tar"
        data[148:156] = b"0000000\x00"  # wrong header checksum
        refused(bytes(data))

    def test_tar_holding_html_is_still_an_archive(self):
        data = samples.tar_of({"index.html": b"<!doctype html><script>x()</script>"})
        assert kind(data, "site.tar").mimetype == "application/x-tar"


class TestText:
    @pytest.mark.parametrize(
        ("name", "mimetype"),
        [
            ("a.txt", "text/plain"),
            ("a.md", "text/markdown"),
            ("a.MARKDOWN", "text/markdown"),
            ("a.csv", "text/csv"),
            ("a.log", "text/plain"),
            ("noext", "text/plain"),
            (None, "text/plain"),
        ],
    )
    def test_text_type_from_the_extension(self, name, mimetype):
        assert kind(b"just words, 1, 2\n", name).mimetype == mimetype

    def test_json_must_parse(self):
        assert kind(samples.JSON, "a.json").mimetype == "application/json"
        assert "not valid JSON" in refused(b"{not json", "a.json")
        refused(b"[NaN]", "a.json")

    def test_json_with_bom_is_json(self):
        assert kind(b"\xef\xbb\xbf[1]", "a.json").mimetype == "application/json"

    def test_deeply_nested_json_is_refused_not_crashing(self):
        refused(b"[" * 100_000 + b"]" * 100_000, "deep.json")

    def test_json_with_millions_of_containers_is_refused(self):
        refused(b"[" + b"[]," * 300_000 + b"[]]", "many.json")

    def test_invalid_utf8_is_refused(self):
        refused(b"caf\xe9 au lait\n", "a.txt")

    def test_nul_byte_is_refused(self):
        refused(b"hello\x00world", "a.txt")

    def test_utf16_text_is_refused(self):
        refused("hello".encode("utf-16"), "a.txt")


class TestMarkup:
    @pytest.mark.parametrize(
        "text",
        [
            b"<html><body>hi</body></html>",
            b"  \n<!DOCTYPE html>",
            b"<?xml version='1.0'?><root/>",
            b"<svg xmlns='http://www.w3.org/2000/svg'/>",
            b"<p>starts like a tag</p>",
            b"<!-- a comment first -->",
            b"\xef\xbb\xbf<html>",
            b"Dear user,\nplease read <SCRIPT>steal()</SCRIPT>",
            b"innocent line\n<iframe src=//evil>",
            b"text then <svg/onload=alert(1)>",
            b"a,b\n<object data=x>,1",
        ],
    )
    def test_markup_is_refused_whatever_the_name(self, text):
        for name in ("page.txt", "image.png", "data.csv", "notes.md"):
            refused(text, name)

    def test_markdown_with_harmless_inline_tags_is_accepted(self):
        text = b"# Notes\n\nLine one<br>\n<details><summary>More</summary>x</details>\n"
        assert kind(text, "notes.md").mimetype == "text/markdown"

    def test_markup_after_the_window_is_not_looked_for(self):
        text = b"x" * (sniff.TEXT_MARKUP_WINDOW + 10) + b"<script>"
        assert kind(text, "big.txt").mimetype == "text/plain"

    def test_tag_like_words_are_not_markup(self):
        assert kind(b"a <scripted> reply and 1 <html5 ok", "a.txt").mimetype == "text/plain"


class TestRefused:
    @pytest.mark.parametrize(
        "data", [samples.ELF, samples.PE, samples.MACHO, samples.SHELL, b"\x00asm\x01\x00\x00\x00"]
    )
    def test_executables(self, data):
        assert "Executables" in refused(data, "harmless.txt")

    def test_shebang_after_bom(self):
        refused(b"\xef\xbb\xbf#!/usr/bin/env python\n", "x.txt")

    def test_unknown_binary(self):
        refused(bytes(range(256)) * 4, "blob.bin")

    def test_empty(self):
        refused(b"", "empty.txt")

    def test_html_named_png(self):
        refused(samples.HTML, "cat.png")

    def test_svg_with_script(self):
        refused(samples.SVG, "logo.svg")


class TestPolyglots:
    def test_gif_followed_by_html_is_refused(self):
        assert "markup" in refused(samples.GIF_HTML_POLYGLOT, "cat.gif")

    def test_gif_header_then_script_is_refused(self):
        refused(samples.GIF_HEADER_HTML, "cat.gif")

    def test_png_with_svg_text_chunk_is_refused(self):
        data = samples.png()
        # A tEXt chunk right after IHDR, inside the first KB.
        chunk = samples._chunk(b"tEXt", b"Comment\x00<svg onload=alert(1)>")
        forged = data[:33] + chunk + data[33:]
        refused(forged, "a.png")

    def test_zip_with_html_member_is_an_archive(self):
        data = samples.zip_of({"index.html": "<html><script>1</script></html>"})
        assert kind(data, "site.zip").mimetype == "application/zip"

    def test_pdf_with_html_is_a_pdf(self):
        data = b"%PDF-1.4\n<html><script>x</script></html>\n%%EOF\n"
        assert kind(data, "doc.pdf").mimetype == "application/pdf"

    def test_zip_member_read_errors_do_not_crash(self):
        buf = io.BytesIO()
        with zipfile.ZipFile(buf, "w") as z:
            z.writestr("[Content_Types].xml", "x" * 100)
        data = bytearray(buf.getvalue())
        start = 30 + len("[Content_Types].xml")
        data[start : start + 10] = b"\xff" * 10  # CRC now fails on read
        assert kind(bytes(data)).mimetype == "application/zip"
