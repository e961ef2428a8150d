"""Square copies of profile images (user avatars, guild icons).

The original upload is never touched: the server keeps its own square copy of
at most ``SIDE``×``SIDE`` pixels, cropped around the centre. Pure (a source
file in, a destination file out), run in a worker thread by the caller.

Bounds: the source is proven an image by :func:`sniff.inspect_image` with its
dimensions checked from the header *before* any pixel is decoded, so a
decompression bomb or an oversized image is refused without allocating it.
Only the first frame of an animated GIF/WebP is used (a still avatar: decoding
every frame of an animation would multiply the cost by its frame count).
"""

from __future__ import annotations

from typing import BinaryIO

from PIL import Image, ImageOps

from guildhall.files import sniff

SIDE = 256
FORMATS = frozenset(sniff.IMAGE_TYPES)  # PNG, JPEG, GIF, WebP
# Beyond this the image is refused rather than decoded: the same figure past
# which section 19 keeps an upload as a download, never decoding it as a
# preview (a 40 MP RGBA frame is 160 MB; JPEG is decoded at a reduced scale).
MAX_PIXELS = 40_000_000
EXTENSION = "webp"
MIMETYPE = "image/webp"


def make_square(src: BinaryIO, dst: BinaryIO) -> None:
    """Write the square WebP copy of ``src`` to ``dst``; :class:`sniff.Refused`
    when ``src`` is not an allowed image within the bounds."""
    info = sniff.inspect_image(src, FORMATS, MAX_PIXELS)
    src.seek(0)
    try:
        with Image.open(src, formats=[info.format]) as im:
            im.seek(0)
            side = min(SIDE, info.width, info.height)
            # JPEG decodes at 1/2, 1/4 or 1/8 scale when that still covers the
            # output: far less memory and time for a phone photo.
            im.draft("RGB", (side, side))
            im.load()
            frame = ImageOps.exif_transpose(im) if info.format == "JPEG" else im
            mode = "RGBA" if frame.mode in ("RGBA", "LA", "P", "PA") else "RGB"
            frame = frame.convert(mode)
            square = ImageOps.fit(frame, (side, side), Image.Resampling.LANCZOS)
            square.save(dst, "WEBP", quality=90, method=4)
    except sniff.Refused:
        raise
    except Exception as exc:  # Pillow raises many types on hostile input
        raise sniff.Refused("The image could not be decoded") from exc
