"""A decoded video frame's YUV 4:2:0 planes -> RGB: the one conversion that the faceparts command
and the page's Export video both make, so that both parse the same pixels. Decoding is exact (a
decoder gives the same planes in FFmpeg and in a browser); the conversions to RGB are not (FFmpeg
takes BT.601 where a stream does not say, Chromium BT.709, and they round differently), and the
parser's steady mask turns a grey level's difference into a moved edge.

Chroma is upsampled by repeating each sample over its 2x2 pixels, as FFmpeg's and the browsers'
unscaled conversions do.
"""

from __future__ import annotations

import numpy as np

# Luma weights (Kr, Kb) of each colour matrix.
WEIGHTS = {"bt601": (0.299, 0.114), "bt709": (0.2126, 0.0722), "bt2020": (0.2627, 0.0593)}
# The matrices a stream may declare, by their WebCodecs names (VideoColorSpace.matrix).
DECLARED = {"bt709": "bt709", "bt470bg": "bt601", "smpte170m": "bt601", "bt2020-ncl": "bt2020"}
# FFmpeg's AVColorSpace numbers (PyAV's VideoFrame.colorspace) -> the WebCodecs names.
FFMPEG_MATRICES = {1: "bt709", 5: "bt470bg", 6: "smpte170m", 9: "bt2020-ncl"}
# Formats that planes() reads, by their WebCodecs names (VideoFrame.format).
FORMATS = ("I420", "I420A", "NV12")

_BITS = 12


def matrix_for(declared: str | None, height: int, width: int) -> str:
    """The colour matrix a frame is converted with: what its stream declares (a WebCodecs name), or
    where it declares none or one not listed, what players assume: BT.709 for HD, BT.601 below."""
    if declared in DECLARED:
        return DECLARED[declared]
    return "bt709" if width >= 1280 or height > 576 else "bt601"


def _tables(matrix: str, full_range: bool) -> tuple[np.ndarray, ...]:
    """int32 lookup tables in fixed point: luma's share of R, G and B, and each chroma's."""
    kr, kb = WEIGHTS[matrix]
    kg = 1.0 - kr - kb
    values = np.arange(256, dtype=np.float64)
    luma = values if full_range else (values - 16) * 255 / 219
    chroma = (values - 128) * (1.0 if full_range else 255 / 224)
    one = 1 << _BITS

    def fixed(table: np.ndarray) -> np.ndarray:
        return np.round(table * one).astype(np.int32)

    # The luma table carries the rounding of the sum.
    return (fixed(luma) + one // 2, fixed(2 * (1 - kr) * chroma), fixed(-2 * (1 - kb) * kb / kg * chroma),
            fixed(-2 * (1 - kr) * kr / kg * chroma), fixed(2 * (1 - kb) * chroma))


def to_rgb(y: np.ndarray, u: np.ndarray, v: np.ndarray, matrix: str = "bt601", full_range: bool = False) -> np.ndarray:
    """uint8 planes Y [H, W], U and V [ceil(H/2), ceil(W/2)] -> uint8 RGB [H, W, 3]."""
    height, width = y.shape
    if u.shape != ((height + 1) // 2, (width + 1) // 2) or v.shape != u.shape:
        raise ValueError(f"chroma planes of {list(u.shape)} and {list(v.shape)} do not fit a {width}x{height} frame's 4:2:0")
    luma_table, red_v, green_u, green_v, blue_u = _tables(matrix, full_range)
    # Luma padded to even sides, so that each chroma sample covers a whole 2x2 block: one
    # broadcast add per channel instead of an upsampled copy of each chroma plane.
    luma = luma_table[np.pad(y, ((0, height % 2), (0, width % 2)), mode="edge")]
    blocks = luma.reshape(u.shape[0], 2, u.shape[1], 2)
    rgb = np.empty((u.shape[0], 2, u.shape[1], 2, 3), dtype=np.uint8)
    for channel, shift in enumerate((red_v[v], green_u[u] + green_v[v], blue_u[u])):
        rgb[..., channel] = np.clip((blocks + shift[:, None, :, None]) >> _BITS, 0, 255)
    return rgb.reshape(u.shape[0] * 2, u.shape[1] * 2, 3)[:height, :width]


def planes(data: np.ndarray, layout: list[dict], pixel_format: str, height: int, width: int
           ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The Y, U and V planes of a frame copied out as one buffer (uint8 [N]), laid out as
    `layout` says ([{offset, stride}] per plane, as WebCodecs' VideoFrame.copyTo returns it), in
    one of FORMATS."""
    if pixel_format not in FORMATS:
        raise ValueError(f"pixel format {pixel_format!r} is not one of {', '.join(FORMATS)}")
    chroma_height, chroma_width = (height + 1) // 2, (width + 1) // 2

    def plane(index: int, rows: int, columns: int) -> np.ndarray:
        offset, stride = int(layout[index]["offset"]), int(layout[index]["stride"])
        return data[offset:offset + stride * rows].reshape(rows, stride)[:, :columns]

    luma = plane(0, height, width)
    if pixel_format == "NV12":
        interleaved = plane(1, chroma_height, 2 * chroma_width)
        return luma, interleaved[:, 0::2], interleaved[:, 1::2]
    return luma, plane(1, chroma_height, chroma_width), plane(2, chroma_height, chroma_width)
