"""Pictures from files, as the native path reads them: any still image Pillow reads, as RGB."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from PIL import Image

from . import pipeline

# Pillow refuses more pixels than this as a possible decompression bomb; say so plainly.
Image.MAX_IMAGE_PIXELS = 120_000_000


class ImageError(Exception):
    """One input that cannot be parsed: reported, skipped, and a batch goes on."""


def load_rgb(path: Path) -> np.ndarray:
    """Any still image Pillow reads -> uint8 RGB, EXIF rotation applied; ImageError if unreadable."""
    from PIL import ImageOps, UnidentifiedImageError

    try:
        with Image.open(path) as image:
            image.seek(0)  # the first frame of an animation
            image = ImageOps.exif_transpose(image)
            if image.mode in ("RGBA", "LA", "PA") or (image.mode == "P" and "transparency" in image.info):
                image = image.convert("RGBA")
            array = np.asarray(image.convert("RGB") if image.mode != "RGBA" else image)
    except FileNotFoundError:
        raise ImageError(f"{path}: no such file") from None
    except UnidentifiedImageError:
        raise ImageError(f"{path}: not an image Pillow can read") from None
    except Image.DecompressionBombError:
        raise ImageError(f"{path}: too large (over {Image.MAX_IMAGE_PIXELS:,} pixels)") from None
    except (OSError, SyntaxError, ValueError) as error:
        raise ImageError(f"{path}: unreadable or truncated image ({error})") from None
    if array.shape[0] < 2 or array.shape[1] < 2:
        raise ImageError(f"{path}: too small ({array.shape[1]}x{array.shape[0]} pixels)")
    return pipeline.to_rgb(array)
