"""faceparts: face parsing into 19 parts. `from faceparts import FaceParser` (api.py) parses
pictures natively; the same package's geometry runs in the browser under Pyodide, which never
imports the native side (hence the lazy names below)."""

__all__ = ["FaceParser", "ParseResult", "Face"]


def __getattr__(name: str):
    if name in __all__:
        from . import api

        return getattr(api, name)
    raise AttributeError(f"module 'faceparts' has no attribute {name!r}")
