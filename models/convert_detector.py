"""Converts the face detector (MediaPipe BlazeFace full range, .tflite) to ONNX and to a
TensorFlow.js graph model, and checks both against the TFLite interpreter and on a photo it makes.

    .venv-convert/bin/python -m models.convert_detector TFLITE OUT_DIR

Runs in the converter's own virtualenv (models/convert-requirements.txt). ONNX comes from
tf2onnx's TFLite reader, as is (ONNX Runtime natively, and ORT Web). The TensorFlow.js model is
the same graph rebuilt op by op in TensorFlow from the TFLite file (plain convolutions, ReLU, add,
pad, max-pool, bilinear resize, reshape: all ops tfjs runs on every backend), frozen, and written
as a graph model: the same weights for both browser engines and the CLI. Both name their input
`input` and their outputs `regressors` [1,2304,16] and `scores` [1,2304,1] (logits).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
MANIFEST = json.loads((ROOT / "models" / "manifest.json").read_text())
DETECTOR = MANIFEST["detector"]
CHECK_PHOTO = ROOT / "web" / "assets" / "sample-astronaut.jpg"
# What the converted models may differ from the TFLite interpreter by (float32 reorderings).
TOLERANCE = 1e-3


def read_tflite(path: Path):
    """-> (nodes, input name, output names, constants): tf2onnx's parse of the TFLite graph, with
    the float16 weights and their DEQUANTIZE ops folded into float32 constants."""
    from onnx import numpy_helper
    from tf2onnx import tflite_utils

    graphs, opcodes, model, shapes = tflite_utils.read_tflite_model(str(path))
    nodes, *_, inputs, outputs, _ = tflite_utils.parse_tflite_graph(graphs[-1], opcodes, model, tensor_shapes_override=shapes)
    constants = {node.output[0]: numpy_helper.to_array(node.attribute[0].t) for node in nodes if node.op_type == "Const"}
    ops = []
    for node in nodes:
        if node.op_type == "TFL_DEQUANTIZE":
            constants[node.output[0]] = constants[node.input[0]].astype(np.float32)
        elif node.op_type not in ("Const", "Placeholder"):
            ops.append(node)
    return ops, inputs[0], outputs, constants


def tensorflow_graph(ops, input_name: str, output_names: list[str], constants: dict):
    """The TFLite ops as one frozen TensorFlow GraphDef, input `input`, outputs `regressors`, `scores`."""
    import tensorflow as tf
    from onnx import helper

    size = DETECTOR["input"]["size"]

    def attributes(node) -> dict:
        values = {attr.name: helper.get_attribute_value(attr) for attr in node.attribute}
        return {key: value.decode() if isinstance(value, bytes) else value for key, value in values.items()}

    def activation(value, name):
        if name == "RELU":
            return tf.nn.relu(value)
        if name != "NONE":
            raise ValueError(f"unsupported fused activation {name}")
        return value

    def run(image):
        values = {input_name: image}
        get = lambda name: values[name] if name in values else tf.constant(constants[name])  # noqa: E731
        for node in ops:
            a = attributes(node)
            x = get(node.input[0])
            op = node.op_type[len("TFL_"):]
            if op == "CONV_2D":
                kernel = np.transpose(constants[node.input[1]], (1, 2, 3, 0))  # OHWI -> HWIO
                y = tf.nn.conv2d(x, kernel, strides=[1, a["stride_h"], a["stride_w"], 1], padding=a["padding"],
                                 dilations=[1, a["dilation_h_factor"], a["dilation_w_factor"], 1])
                y = activation(tf.nn.bias_add(y, constants[node.input[2]]), a["fused_activation_function"])
            elif op == "DEPTHWISE_CONV_2D":
                kernel = constants[node.input[1]]  # [1, H, W, C*m]
                channels = x.shape[-1]
                kernel = kernel.reshape(kernel.shape[1], kernel.shape[2], channels, a["depth_multiplier"])
                y = tf.nn.depthwise_conv2d(x, kernel, strides=[1, a["stride_h"], a["stride_w"], 1], padding=a["padding"],
                                           dilations=[a["dilation_h_factor"], a["dilation_w_factor"]])
                y = activation(tf.nn.bias_add(y, constants[node.input[2]]), a["fused_activation_function"])
            elif op == "RELU":
                y = tf.nn.relu(x)
            elif op == "ADD":
                y = activation(tf.add(x, get(node.input[1])), a["fused_activation_function"])
            elif op == "PAD":
                y = tf.pad(x, constants[node.input[1]])
            elif op == "MAX_POOL_2D":
                y = tf.nn.max_pool2d(x, [a["filter_height"], a["filter_width"]], [a["stride_h"], a["stride_w"]], a["padding"])
            elif op == "RESIZE_BILINEAR":
                y = tf.compat.v1.image.resize_bilinear(x, constants[node.input[1]], align_corners=bool(a["align_corners"]),
                                                       half_pixel_centers=bool(a["half_pixel_centers"]))
            elif op == "RESHAPE":
                y = tf.reshape(x, a["new_shape"])
            else:
                raise ValueError(f"the detector has an op this converter does not know: {node.op_type}")
            values[node.output[0]] = y
        return (tf.identity(values[output_names[0]], name="regressors"),
                tf.identity(values[output_names[1]], name="scores"))

    function = tf.function(run).get_concrete_function(tf.TensorSpec([1, size, size, 3], tf.float32, name="input"))
    return function.graph.as_graph_def()


def tfjs_graph_model(graph_def, out_dir: Path) -> None:
    """Writes model.json and one weights file: the GraphDef's nodes, with the constants' values
    moved into the weights manifest, as TensorFlow.js graph models hold them."""
    from google.protobuf import json_format
    from tensorflow.python.framework import tensor_util

    nodes, specs, blobs = [], [], []
    for node in graph_def.node:
        if node.op == "NoOp":
            continue
        entry = json_format.MessageToDict(node)
        entry.pop("device", None)
        if node.op == "Const":
            value = tensor_util.MakeNdarray(node.attr["value"].tensor)
            if value.dtype == np.float64:
                value = value.astype(np.float32)
            specs.append({"name": node.name, "shape": list(value.shape), "dtype": str(value.dtype)})
            blobs.append(np.ascontiguousarray(value).tobytes())
            entry["attr"]["value"]["tensor"].pop("tensorContent", None)
            for key in [k for k in entry["attr"]["value"]["tensor"] if k.endswith("Val")]:
                entry["attr"]["value"]["tensor"].pop(key)
        nodes.append(entry)
    weights = DETECTOR["tfjs"]["weights"]
    (out_dir / weights).write_bytes(b"".join(blobs))
    model = {
        "format": "graph-model",
        "generatedBy": "faceparts models/convert_detector.py",
        "convertedBy": "faceparts models/convert_detector.py",
        "modelTopology": {"node": nodes, "library": {}, "versions": {}},
        "weightsManifest": [{"paths": [weights], "weights": specs}],
    }
    (out_dir / DETECTOR["tfjs"]["model"]).write_text(json.dumps(model))


def to_onnx(tflite: Path, out_path: Path, output_names: list[str]) -> None:
    """tf2onnx's TFLite reader, with the outputs renamed as the app names them."""
    import onnx
    import tf2onnx

    model, _ = tf2onnx.convert.from_tflite(str(tflite), opset=DETECTOR["onnx"]["opset"])
    renamed = dict(zip(output_names, ["regressors", "scores"]))
    for node in model.graph.node:
        node.output[:] = [renamed.get(name, name) for name in node.output]
    for output in model.graph.output:
        output.name = renamed.get(output.name, output.name)
    model.producer_name = "faceparts models/convert_detector.py"
    onnx.checker.check_model(model)
    onnx.save(model, out_path)


def sample_input(seed: int = 0) -> np.ndarray:
    size = DETECTOR["input"]["size"]
    return np.random.default_rng(seed).uniform(-1, 1, (1, size, size, 3)).astype(np.float32)


def check_photo() -> tuple[np.ndarray, tuple[float, float, float, float]]:
    """A 640x480 frame with the sample face small and off-centre, letterboxed into the detector's
    input; -> (input, the face's box in input pixels)."""
    from PIL import Image

    size = DETECTOR["input"]["size"]
    face = Image.open(CHECK_PHOTO).convert("RGB").resize((160, 160), Image.BILINEAR)
    frame = Image.new("RGB", (640, 480), (118, 120, 124))
    frame.paste(face, (400, 60))
    scale = size / 640
    letterboxed = Image.new("RGB", (size, size))
    top = round((size - 480 * scale) / 2)
    letterboxed.paste(frame.resize((size, round(480 * scale)), Image.BILINEAR), (0, top))
    batch = (np.asarray(letterboxed, dtype=np.float32) * np.float32(DETECTOR["input"]["scale"])
             + np.float32(DETECTOR["input"]["offset"]))[None]
    return batch, (400 * scale, 60 * scale + top, 560 * scale, 220 * scale + top)


def best_box(regressors: np.ndarray, logits: np.ndarray) -> tuple[float, tuple[float, float, float, float]]:
    """The most confident detection: (score, box x0 y0 x1 y1 in input pixels)."""
    size, grid = DETECTOR["input"]["size"], DETECTOR["anchors"]["grid"]
    best = int(np.argmax(logits[0, :, 0]))
    cx = regressors[0, best, 0] + (best % grid + 0.5) * size / grid
    cy = regressors[0, best, 1] + (best // grid + 0.5) * size / grid
    w, h = regressors[0, best, 2], regressors[0, best, 3]
    return float(1 / (1 + np.exp(-logits[0, best, 0]))), (cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2)


def main(argv: list[str] | None = None) -> int:
    import onnxruntime as ort
    import tensorflow as tf

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("tflite", type=Path)
    parser.add_argument("out_dir", type=Path)
    args = parser.parse_args(argv)
    (args.out_dir / "onnx").mkdir(parents=True, exist_ok=True)
    (args.out_dir / "tfjs").mkdir(parents=True, exist_ok=True)

    ops, input_name, output_names, constants = read_tflite(args.tflite)
    onnx_path = args.out_dir / "onnx" / DETECTOR["onnx"]["model"]
    to_onnx(args.tflite, onnx_path, output_names)
    graph_def = tensorflow_graph(ops, input_name, output_names, constants)
    tfjs_graph_model(graph_def, args.out_dir / "tfjs")

    interpreter = tf.lite.Interpreter(model_path=str(args.tflite))
    interpreter.allocate_tensors()
    session = ort.InferenceSession(str(onnx_path), providers=["CPUExecutionProvider"])
    with tf.Graph().as_default() as graph:
        tf.compat.v1.import_graph_def(graph_def, name="")
        tf_session = tf.compat.v1.Session(graph=graph)

    def reference(batch):
        interpreter.set_tensor(interpreter.get_input_details()[0]["index"], batch)
        interpreter.invoke()
        by_name = {d["name"]: interpreter.get_tensor(d["index"]) for d in interpreter.get_output_details()}
        return [by_name[name] for name in output_names]

    photo, face_box = check_photo()
    for what, batch in (("random input", sample_input()), ("the check photo", photo)):
        expected = reference(batch)
        converted = {
            "ONNX": session.run(["regressors", "scores"], {"input": batch}),
            "TensorFlow (the tfjs graph)": tf_session.run(["regressors:0", "scores:0"], {"input:0": batch}),
        }
        for name, outputs in converted.items():
            difference = max(float(np.abs(a - b).max()) for a, b in zip(outputs, expected))
            print(f"convert: detector, {name} vs TFLite on {what}: largest difference {difference:.1e}")
            if difference > TOLERANCE:
                print(f"convert: the {name} detector disagrees with the TFLite original; not using it", file=sys.stderr)
                return 1
    score, box = best_box(*session.run(["regressors", "scores"], {"input": photo}))
    centre = ((box[0] + box[2]) / 2, (box[1] + box[3]) / 2)
    inside = face_box[0] < centre[0] < face_box[2] and face_box[1] < centre[1] < face_box[3]
    print(f"convert: detector finds the check photo's face with score {score:.2f}, centre {'inside' if inside else 'OUTSIDE'} it")
    if score < DETECTOR["score_threshold"] or not inside:
        print("convert: the detector misses the face in the check photo; not using it", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
