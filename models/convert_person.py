"""Converts the person mask (MediaPipe Selfie Segmentation, landscape, .tflite) to ONNX and to a
TensorFlow.js graph model, and checks both on pictures it makes.

    .venv-convert/bin/python -m models.convert_person TFLITE OUT_DIR

Runs in the converter's own virtualenv (models/convert-requirements.txt). The TFLite ops are
rebuilt one by one in TensorFlow (models/tflite_graph.py), MediaPipe's custom op
Convolution2DTransposeBias as a stride-2 transposed convolution and its bias; that graph is written
as a TensorFlow.js graph model and converted to ONNX by tf2onnx (a ConvTranspose), so both browser
engines and the CLI run the same weights. Neither ONNX Runtime nor the TFLite interpreter runs the
custom op, so the checks are: ONNX equals the TensorFlow graph, and on a picture made here the
mask covers the person and not the flat background around her. Input `input` [1,H,W,3] RGB in
[0,1]; output `mask` [1,H,W,1], the probability that a pixel is a person.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import numpy as np

from models.tflite_graph import read_tflite, tensorflow_graph, tfjs_graph_model

ROOT = Path(__file__).resolve().parent.parent
PERSON = json.loads((ROOT / "models" / "manifest.json").read_text())["person"]
CHECK_PHOTO = ROOT / "web" / "assets" / "sample-astronaut.jpg"
TOLERANCE = 1e-4
GREY = (120, 124, 128)


def to_onnx(graph_def, out_path: Path) -> None:
    import onnx
    import tf2onnx

    model, _ = tf2onnx.convert.from_graph_def(graph_def, input_names=["input:0"], output_names=["mask:0"], opset=PERSON["onnx"]["opset"])
    renamed = {"input:0": "input", "mask:0": "mask"}
    for node in model.graph.node:
        node.input[:] = [renamed.get(name, name) for name in node.input]
        node.output[:] = [renamed.get(name, name) for name in node.output]
    for value in [*model.graph.input, *model.graph.output]:
        value.name = renamed.get(value.name, value.name)
    model.producer_name = "faceparts models/convert_person.py"
    onnx.checker.check_model(model)
    onnx.save(model, out_path)


def check_picture() -> tuple[np.ndarray, tuple[slice, slice], np.ndarray]:
    """The sample portrait on flat grey, at the model's input size: -> (input batch, her face
    (slices), the grey background's pixels (bool))."""
    from PIL import Image

    height, width = PERSON["input"]["height"], PERSON["input"]["width"]
    frame = Image.new("RGB", (width, height), GREY)
    side = round(height * 0.9)
    left, top = (width - side) // 2, height - side
    frame.paste(Image.open(CHECK_PHOTO).convert("RGB").resize((side, side), Image.BILINEAR), (left, top))
    background = np.ones((height, width), dtype=bool)
    background[top:, left:left + side] = False
    # The portrait is a tight crop around a face: its middle is the face, its corners her own backdrop.
    inner = (slice(top + round(side * 0.35), top + round(side * 0.75)), slice(left + round(side * 0.35), left + round(side * 0.65)))
    batch = (np.asarray(frame, dtype=np.float32) * np.float32(PERSON["input"]["scale"]) + np.float32(PERSON["input"]["offset"]))[None]
    return batch, inner, background


def main(argv: list[str] | None = None) -> int:
    import onnxruntime as ort
    import tensorflow as tf

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("tflite", type=Path)
    parser.add_argument("out_dir", type=Path)
    args = parser.parse_args(argv)
    for folder in ("onnx", "tfjs"):
        (args.out_dir / folder).mkdir(parents=True, exist_ok=True)

    ops, input_name, [output_name], constants = read_tflite(args.tflite)
    shape = [1, PERSON["input"]["height"], PERSON["input"]["width"], 3]
    graph_def = tensorflow_graph(ops, input_name, shape, {output_name: "mask"}, constants)
    tfjs_graph_model(graph_def, args.out_dir / "tfjs", PERSON["tfjs"]["model"], PERSON["tfjs"]["weights"], "faceparts models/convert_person.py")
    onnx_path = args.out_dir / "onnx" / PERSON["onnx"]["model"]
    to_onnx(graph_def, onnx_path)

    session = ort.InferenceSession(str(onnx_path), providers=["CPUExecutionProvider"])
    with tf.Graph().as_default() as graph:
        tf.compat.v1.import_graph_def(graph_def, name="")
        tf_session = tf.compat.v1.Session(graph=graph)
    picture, inner, background = check_picture()
    random = np.random.default_rng(0).uniform(0, 1, shape).astype(np.float32)
    for what, batch in (("random input", random), ("the check picture", picture)):
        onnx_mask = session.run(["mask"], {"input": batch})[0]
        difference = float(np.abs(onnx_mask - tf_session.run("mask:0", {"input:0": batch})).max())
        print(f"convert: person mask, ONNX vs TensorFlow (the tfjs graph) on {what}: largest difference {difference:.1e}")
        if difference > TOLERANCE:
            print("convert: the ONNX person mask disagrees with the TensorFlow graph; not using it", file=sys.stderr)
            return 1
    mask = session.run(["mask"], {"input": picture})[0][0, :, :, 0]
    person, empty = float((mask[inner] >= PERSON["threshold"]).mean()), float((mask[background] >= PERSON["threshold"]).mean())
    print(f"convert: person mask covers {person:.0%} of the check picture's face and {empty:.0%} of its flat background")
    if person < 0.9 or empty > 0.05:
        print("convert: the person mask does not find the person in the check picture; not using it", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
