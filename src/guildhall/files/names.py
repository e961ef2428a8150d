"""Client-sent file names made safe to store, to put in a URL and to download."""

from __future__ import annotations

import re
import unicodedata

from guildhall.files.sniff import FileType

MAX_NAME_CHARS = 100
# ext4 and most filesystems allow 255 bytes a name; CJK names are 3 bytes a character.
MAX_NAME_BYTES = 200
FALLBACK = "file"
_MAX_EXTENSION = 16

# Path separators, characters Windows refuses, and those that break a URL path
# segment (``#`` starts a fragment, ``?`` a query, ``%`` an escape).
_REPLACED = re.compile(r'[/\\:*?"<>|#%]')
# Controls, invisible formatting (bidi overrides, zero-width) and lone surrogates.
_REMOVED_CATEGORIES = frozenset({"Cc", "Cf", "Cs"})
_DOTS = re.compile(r"\.{2,}")
_SPACES = re.compile(r"\s+")
_WINDOWS_DEVICES = frozenset(
    {"con", "prn", "aux", "nul"} | {f"com{i}" for i in range(10)} | {f"lpt{i}" for i in range(10)}
)
# Extensions a desktop runs or renders as active content when the file is
# opened after download: the sniffed type's own extension is appended to them.
DANGEROUS_EXTENSIONS = frozenset(
    """
    exe dll com bat cmd scr pif cpl msi msp mst msc jar js jse vbs vbe wsf wsh ws wsc hta
    ps1 ps1xml ps2 psc1 psm1 psd1 reg lnk inf scf url application appref-ms gadget sct
    sh bash zsh csh ksh fish command tool app dmg pkg deb rpm apk run bin elf so dylib
    html htm xhtml xht shtml mht mhtml svg svgz xml xsl xslt php phtml asp aspx jsp cgi
    swf library-ms settingcontent-ms desktop
    """.split()
)


def safe_filename(raw: str | None, kind: FileType) -> str:
    """The original name reduced to a safe basename.

    No path, no ``..``, no control or invisible formatting characters (a
    right-to-left override can disguise ``gpj.exe`` as ``exe.jpg``), NFC, at
    most 100 characters and 200 UTF-8 bytes with the extension kept, never empty.
    A missing or dangerous extension gets the sniffed type's one appended.
    """
    name = raw or ""
    # Browsers percent-escape these three in multipart file names (WHATWG).
    name = name.replace("%22", '"').replace("%0D", "\r").replace("%0A", "\n")
    name = unicodedata.normalize("NFC", name)
    name = name.replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(c for c in name if unicodedata.category(c) not in _REMOVED_CATEGORIES)
    name = _REPLACED.sub("_", name)
    name = _SPACES.sub(" ", name)
    name = _DOTS.sub(".", name).strip(" .")
    stem, ext = _split(name)
    if not stem:
        stem = FALLBACK
    if stem.split(".")[0].lower() in _WINDOWS_DEVICES:
        stem = "_" + stem
    if not ext:
        ext = kind.extension
    elif ext.lower() in DANGEROUS_EXTENSIONS:
        stem, ext = f"{stem}.{ext}", kind.extension
    return _fit(stem, ext)


def _split(name: str) -> tuple[str, str]:
    stem, dot, ext = name.rpartition(".")
    if not dot or not stem or len(ext) > _MAX_EXTENSION or " " in ext:
        return name, ""
    return stem, ext


def _fit(stem: str, ext: str) -> str:
    suffix = f".{ext}"
    budget_chars = MAX_NAME_CHARS - len(suffix)
    budget_bytes = MAX_NAME_BYTES - len(suffix.encode())
    stem = stem[:budget_chars]
    while len(stem.encode()) > budget_bytes:
        stem = stem[:-1]
    stem = stem.rstrip(" .") or FALLBACK
    return stem + suffix
