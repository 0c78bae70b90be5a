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

from faceparts import align, compose, export, faces, geometry, person, pipeline, sampling, steady, tracking, yuv  # noqa: E402
from faceparts.model_manifest import AlignmentSpec, DetectorSpec, ModelSpec, PersonSpec  # noqa: E402

manifest = json.loads(open("manifest.json").read())
spec = ModelSpec.from_manifest(manifest)
detector = DetectorSpec.from_manifest(manifest)
alignment = AlignmentSpec.from_manifest(manifest)
person_spec = PersonSpec.from_manifest(manifest)
face_ids = [spec.class_names.index(name) for name in manifest["groups"]["face"]]


def _from_js(typed_array, dtype, shape):
    return np.frombuffer(typed_array.to_bytes(), dtype=dtype).reshape(shape)


def _typed_array(constructor, array):
    out = constructor.new(array.size)
    out.assign(np.ascontiguousarray(array).ravel())
    return out


def _js_object(mapping):
    return to_js(mapping, dict_converter=js.Object.fromEntries)


def _py(value):
    return value.to_py() if hasattr(value, "to_py") else value


def _view(matrix, size):
    return {"matrix": geometry.to_js(matrix), "size": size}


def detector_views(frame_height, frame_width):
    return _js_object([_view(view, detector.size) for view in faces.views(int(frame_height), int(frame_width), detector)])


def _outputs(regressors, scores):
    return (np.frombuffer(regressors.to_bytes(), dtype=np.float32), np.frombuffer(scores.to_bytes(), dtype=np.float32))


def find_faces(regressors, scores, view):
    return _js_object(faces.find_faces(*_outputs(regressors, scores), geometry.from_js(_py(view)), detector))


def largest_faces(found, limit):
    kept, left_out = faces.largest(_py(found), int(limit))
    return _js_object({"faces": kept, "leftOut": left_out})


def closer_looks(found, tracks, view):
    view, tracks = geometry.from_js(_py(view)), _py(tracks)
    return _js_object([
        _view(faces.refine_view(face, detector), detector.size)
        if faces.needs_closer_look(face, view, detector, tracking.is_tracked(face, tracks, alignment)) else None
        for face in _py(found)
    ])


def refine_face(face, regressors, scores, view):
    return _js_object(faces.refine(_py(face), *_outputs(regressors, scores), geometry.from_js(_py(view)), detector))


def track_faces(tracks, found):
    return _js_object(tracking.update(_py(tracks), _py(found), alignment))


def should_detect(now_ms, last_detection_ms, detection_ms, tracked, recheck):
    last = None if last_detection_ms is None else float(last_detection_ms)
    return tracking.should_detect(float(now_ms), last, float(detection_ms), bool(tracked), bool(recheck))


def _thumbnail(rgba):
    return tracking.grey_thumbnail(_from_js(rgba, np.uint8, tracking.THUMBNAIL + (4,)))


def scene_cut(previous, rgba):
    return tracking.scene_cut(None if previous is None else _thumbnail(previous), _thumbnail(rgba))


def plan_crops(tracks, frame_height, frame_width, size, video):
    poses = [track["pose"] for track in _py(tracks)]
    context_size = person_spec.context_video_size if video else None
    plans = align.crop_plans(poses, int(frame_height), int(frame_width), int(size), spec, alignment, context_size)
    return _js_object([{"matrix": geometry.to_js(matrix), "height": height, "width": width, "whole": whole}
                       for matrix, height, width, whole in plans])


def person_view(frame_height, frame_width):
    matrix = person.view(int(frame_height), int(frame_width), person_spec)
    return _js_object({"matrix": geometry.to_js(matrix), "height": person_spec.height, "width": person_spec.width})


def frame_pixels(data, layout, pixel_format, height, width, declared_matrix, full_range):
    height, width = int(height), int(width)
    planes = yuv.planes(_from_js(data, np.uint8, (-1,)), _py(layout), str(pixel_format), height, width)
    return yuv.to_rgb(*planes, yuv.matrix_for(declared_matrix, height, width), bool(full_range))


def model_view(rgb, kind, matrix, height, width):
    pixels = sampling.model_view(rgb, str(kind), geometry.from_js(_py(matrix)), int(height), int(width))
    rgba = np.empty(pixels.shape[:2] + (4,), dtype=np.uint8)
    rgba[..., :3], rgba[..., 3] = pixels, 255
    return _typed_array(js.Uint8ClampedArray, rgba)


def _steady_state_from_js(state, height, width):
    """The state steady.steady left, as the page kept it (None to start)."""
    if state is None:
        return None
    return {"shown": _from_js(state.shown, np.uint8, (height, width)), "raw": _from_js(state.raw, np.uint8, (height, width)),
            "matrix": geometry.from_js(_py(state.matrix))}


def _steady_state_to_js(kept):
    return {"shown": _typed_array(js.Uint8Array, kept["shown"]), "raw": _typed_array(js.Uint8Array, kept["raw"]),
            "matrix": geometry.to_js(kept["matrix"])}


def steady_labels(labels, plan, state):
    plan = _py(plan)
    height, width = int(plan["height"]), int(plan["width"])
    raw = _from_js(labels, np.uint8, (height, width))
    shown, kept = steady.steady(raw, geometry.from_js(plan["matrix"]), _steady_state_from_js(state, height, width))
    return _js_object({"labels": _typed_array(js.Uint8Array, shown), "state": _steady_state_to_js(kept)})


def steady_person(mask, view, state):
    view = _py(view)
    height, width = int(view["height"]), int(view["width"])
    shown, kept = person.steady_mask(_from_js(mask, np.uint8, (height, width)), geometry.from_js(view["matrix"]),
                                     _steady_state_from_js(state, height, width), person_spec)
    return _js_object({"mask": _typed_array(js.Uint8Array, shown), "state": _steady_state_to_js(kept)})


def postprocess(labels_list, plans, frame_height, frame_width, parts, person_mask):
    crops, context = [], None
    for labels, plan in zip(labels_list, _py(plans)):
        height, width = int(plan["height"]), int(plan["width"])
        label_map = pipeline.labels_from_model_output(_from_js(labels, np.uint8, (height, width)), height, width, len(spec.class_names))
        parse = (label_map, geometry.from_js(plan["matrix"]))
        if plan["whole"]:
            context = parse
        else:
            crops.append(parse)
    frame_height, frame_width = int(frame_height), int(frame_width)
    mask = None
    if person_mask is not None:
        view = _py(person_mask.view)
        probabilities = _from_js(person_mask.mask, np.uint8, (int(view["height"]), int(view["width"])))
        mask = person.frame_mask(probabilities, frame_height, frame_width, person_spec)
    label_map, counts = compose.compose(frame_height, frame_width, crops, len(spec.class_names), context=context, person=mask,
                                        body_id=person_spec.body_id, garment_id=person_spec.garment_id,
                                        beyond_face=person_spec.beyond_face)
    areas = pipeline.class_areas(label_map, list(spec.class_names))
    return _js_object({
        "labels": _typed_array(js.Uint8Array, label_map),
        "overlay": _overlay(label_map, parts),
        "fractions": [areas[name]["fraction"] for name in spec.class_names],
        "faceAreas": [pipeline.areas_from_counts(count, list(spec.class_names)) for count in counts],
        "lostFaces": tracking.lost_faces(counts, face_ids),
    })


def _overlay(label_map, parts):
    hidden = pipeline.hidden_ids(_py(parts), list(spec.class_names))
    return _typed_array(js.Uint8ClampedArray, pipeline.colorize(label_map, spec.palette, hidden=hidden))


def overlay(labels, height, width, parts):
    return _overlay(_from_js(labels, np.uint8, (int(height), int(width))), parts)


def export_parse(kind, labels, height, width, extra_json="{}"):
    label_map = _from_js(labels, np.uint8, (int(height), int(width)))
    data = export.export_parse(kind, label_map, spec.palette, list(spec.class_names), json.loads(extra_json))
    return _typed_array(js.Uint8Array, np.frombuffer(data, dtype=np.uint8))


# Exactly the names web/js/python.js documents.
API = {
    "detectorViews": create_proxy(detector_views),
    "findFaces": create_proxy(find_faces),
    "largestFaces": create_proxy(largest_faces),
    "closerLooks": create_proxy(closer_looks),
    "refineFace": create_proxy(refine_face),
    "trackFaces": create_proxy(track_faces),
    "shouldDetect": create_proxy(should_detect),
    "sceneCut": create_proxy(scene_cut),
    "thumbnailSize": _js_object(list(tracking.THUMBNAIL)),
    "planCrops": create_proxy(plan_crops),
    "personView": create_proxy(person_view),
    "framePixels": create_proxy(frame_pixels),
    "modelView": create_proxy(model_view),
    "yuvFormats": _js_object(list(yuv.FORMATS)),
    "steadyLabels": create_proxy(steady_labels),
    "steadyPerson": create_proxy(steady_person),
    "postprocess": create_proxy(postprocess),
    "overlay": create_proxy(overlay),
    "exportParse": create_proxy(export_parse),
    "exportKinds": _js_object({kind: {"suffix": e.suffix, "mime": e.mime} for kind, e in export.EXPORTS.items()}),
    "versions": _js_object({"numpy": np.__version__, "pillow": __import__("PIL").__version__}),
}
api = js.Object.new()
for name, value in API.items():
    setattr(api, name, value)
js.window.facepartsPython = api
js.window.dispatchEvent(js.CustomEvent.new("faceparts:python-ready"))
