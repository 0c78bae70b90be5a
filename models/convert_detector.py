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

from models.tflite_graph import read_tflite, tensorflow_graph, tfjs_graph_model

ROOT = Path(__file__).resolve().parent.parent
MANIFEST = json.loads((ROOT / "models" / "manifest.json").read_text())
DETECTOR = MANIFEST["detector"]
CHECK_PHOTO = ROOT / "web" / "assets" / "sample-astronaut.jpg"
# What the converted models may differ from the TFLite interpreter by (float32 reorderings).
TOLERANCE = 1e-3


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
    size = DETECTOR["input"]["size"]
    graph_def = tensorflow_graph(ops, input_name, [1, size, size, 3], dict(zip(output_names, ["regressors", "scores"])), constants)
    tfjs_graph_model(graph_def, args.out_dir / "tfjs", DETECTOR["tfjs"]["model"], DETECTOR["tfjs"]["weights"],
                     "faceparts models/convert_detector.py")

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
