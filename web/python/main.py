"""PyScript entry point: loads numpy and Pillow, then hands the faceparts pipeline to the page.

The names it hands over (API below) are the page<->Python boundary, documented
in web/js/python.js. Only conversion between JS typed arrays and numpy happens
here; the work itself is in the faceparts package, which CPython tests import
unchanged.
"""

import json

import js
import pyodide_js
from pyodide.ffi import create_proxy, to_js

# numpy and Pillow come from the app's own server (vendor/pyodide), checked
# against the sha256 in pyodide-lock.json by Pyodide itself.
await pyodide_js.loadPackage(["numpy", "pillow"])  # noqa: F704 (PyScript runs this as async)

import numpy as np  # noqa: E402

from faceparts import export, pipeline  # noqa: E402
from faceparts.model_manifest import ModelSpec  # noqa: E402

spec = ModelSpec.load("manifest.json")


def _from_js(typed_array, dtype, shape):
    return np.frombuffer(typed_array.to_bytes(), dtype=dtype).reshape(shape)


def _typed_array(constructor, array):
    out = constructor.new(array.size)
    out.assign(np.ascontiguousarray(array).ravel())
    return out


def _js_object(mapping):
    return to_js(mapping, dict_converter=js.Object.fromEntries)


def input_shape(frame_height, frame_width, size):
    return to_js(list(spec.input_shape(int(frame_height), int(frame_width), int(size))))


def postprocess(labels, height, width):
    label_map = pipeline.labels_from_model_output(
        _from_js(labels, np.uint8, (int(height), int(width))), int(height), int(width), len(spec.class_names))
    overlay = pipeline.colorize(label_map, spec.palette)
    areas = pipeline.class_areas(label_map, list(spec.class_names))
    return _js_object({
        "overlay": _typed_array(js.Uint8ClampedArray, overlay),
        "fractions": to_js([areas[name]["fraction"] for name in spec.class_names]),
    })


def export_parse(kind, labels, height, width, extra_json="{}"):
    label_map = _from_js(labels, np.uint8, (int(height), int(width)))
    data = export.export_parse(kind, label_map, spec.palette, list(spec.class_names), json.loads(extra_json))
    return _typed_array(js.Uint8Array, np.frombuffer(data, dtype=np.uint8))


# Exactly the names web/js/python.js documents.
API = {
    "inputShape": create_proxy(input_shape),
    "postprocess": create_proxy(postprocess),
    "exportParse": create_proxy(export_parse),
    "exportKinds": _js_object({kind: {"suffix": e.suffix, "mime": e.mime} for kind, e in export.EXPORTS.items()}),
    "versions": _js_object({"numpy": np.__version__, "pillow": __import__("PIL").__version__}),
}
api = js.Object.new()
for name, value in API.items():
    setattr(api, name, value)
js.window.facepartsPython = api
js.window.dispatchEvent(js.CustomEvent.new("faceparts:python-ready"))
