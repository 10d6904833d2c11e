"""Colours as Google stores them: float32 components, zeros omitted, `*Style` twins kept in step."""

from __future__ import annotations

import struct
from functools import lru_cache
from typing import Any

from sheets_backend.sheets.local.model import plain_number

_COMPONENTS = ("red", "green", "blue", "alpha")


@lru_cache(maxsize=65536)  # a sheet uses a handful of colours over and over
def float32(x: float) -> float | int:
    """The shortest decimal that reads back as the same float32, as Google prints colours."""
    target = struct.unpack("f", struct.pack("f", x))[0]
    for digits in range(6, 10):
        candidate = float(f"{target:.{digits}g}")
        if struct.unpack("f", struct.pack("f", candidate))[0] == target:
            return plain_number(candidate)
    return plain_number(target)


def colour(value: Any) -> dict[str, Any]:
    """A Color as Google echoes it."""
    if not isinstance(value, dict):
        return {}
    return {k: float32(float(value[k])) for k in _COMPONENTS if value.get(k)}


def eight_bit(rgb: dict[str, Any]) -> dict[str, Any]:
    """A colour cut to 8 bits a channel, as Google stores tab colours."""
    return colour({k: int(float(v) * 255 + 1e-6) / 255 for k, v in rgb.items()})


def twin(obj: dict[str, Any], plain: str) -> dict[str, Any]:
    """Make `plain` (e.g. backgroundColor) and `plain + "Style"` agree, whichever was given."""
    style = plain + "Style"
    out = dict(obj)
    if style in obj and obj[style] is not None:
        given = obj[style]
        if isinstance(given, dict) and "rgbColor" in given:
            rgb = colour(given["rgbColor"])
            out[style] = {"rgbColor": rgb}
            out[plain] = rgb
        else:
            out[style] = given
            out.pop(plain, None)
    elif plain in obj and obj[plain] is not None:
        rgb = colour(obj[plain])
        out[plain] = rgb
        out[style] = {"rgbColor": rgb}
    else:
        out.pop(plain, None)
        out.pop(style, None)
    return out


def normalise_format(fmt: dict[str, Any]) -> dict[str, Any]:
    """A CellFormat as Google stores it: colour twins filled in, colours in float32."""
    out = twin(fmt, "backgroundColor")
    text = out.get("textFormat")
    if isinstance(text, dict):
        out["textFormat"] = twin(text, "foregroundColor")
    borders = out.get("borders")
    if isinstance(borders, dict):
        out["borders"] = {
            side: twin(b, "color") if isinstance(b, dict) else b for side, b in borders.items()
        }
    return {k: v for k, v in out.items() if v is not None}
