"""Quantises the parser's ONNX model to int8, and checks it against float32 on the sample photo.

    .venv-convert/bin/python -m models.quantize_onnx FLOAT_ONNX OUT_DIR

ONNX Runtime's static quantisation in QDQ form: int8 weights per output channel, uint8
activations, calibrated on pictures the project ships (the sample photo, mirrored, at three
brightnesses and two crops: never the evaluation data). The logits' last resize, which feeds the
ArgMax, stays float: quantised logits tie. The input keeps its symbolic height and width, so one
file serves the manifest's int8 sizes. Writes OUT_DIR/<manifest's int8 model> and fails unless its
labels equal float32's on the manifest's share of the sample photo's pixels at each of those
sizes; larger inputs run the float32 model.

On a CPU int8 runs the parser faster, natively and in ONNX Runtime Web's WASM; GPU
backends keep float32.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

import numpy as np

from models.convert_onnx import CHECK_PHOTO, MANIFEST

INT8 = MANIFEST["onnx"]["int8"]
# Operators whose inputs and outputs are quantised; the rest (ArgMax, Cast, Gather, Reshape) stay float.
QUANTIZED_OPS = ["Conv", "MatMul", "Add", "Mul", "Relu", "MaxPool", "AveragePool", "Resize", "Concat", "GlobalAveragePool"]


def calibration_pictures(size: int) -> list[np.ndarray]:
    """The sample photo as 12 model inputs at size x size: mirrored or not, brightness 0.7 / 1 /
    1.3, whole or with 20 px cut from each side: float32 [1,size,size,3], normalised."""
    from PIL import Image, ImageOps

    photo = Image.open(CHECK_PHOTO).convert("RGB")
    scale, offset = np.float32(MANIFEST["input"]["scale"]), np.float32(MANIFEST["input"]["offset"])
    batches = []
    for mirrored in (False, True):
        base = ImageOps.mirror(photo) if mirrored else photo
        for cut in (0, 20):
            framed = base.crop((cut, cut, base.width - cut, base.height - cut)).resize((size, size), Image.BILINEAR)
            for brightness in (0.7, 1.0, 1.3):
                pixels = np.clip(np.asarray(framed, dtype=np.float32) * brightness, 0, 255)
                batches.append((pixels * scale + offset)[None])
    return batches


class Pictures:
    """onnxruntime.quantization's CalibrationDataReader over calibration_pictures."""

    def __init__(self, input_name: str, batches: list[np.ndarray]):
        self.feeds = iter([{input_name: batch} for batch in batches])

    def get_next(self):
        return next(self.feeds, None)

    def rewind(self):  # read once
        pass


def argmax_input_node(model_path: Path) -> str:
    """The name of the node whose output the ArgMax reads (the logits' resize to the input size)."""
    import onnx

    graph = onnx.load(str(model_path)).graph
    argmax = next(node for node in graph.node if node.op_type == "ArgMax")
    return next(node.name for node in graph.node if argmax.input[0] in node.output)


def quantize(float_model: Path, out_path: Path) -> None:
    from onnxruntime.quantization import CalibrationMethod, QuantFormat, QuantType, quantize_static
    from onnxruntime.quantization.shape_inference import quant_pre_process

    with tempfile.TemporaryDirectory() as tmp:
        prepared = Path(tmp) / "prepared.onnx"
        # The symbolic shape pass cannot follow the dynamic height and width through Resize.
        quant_pre_process(str(float_model), str(prepared), skip_symbolic_shape=True)
        quantize_static(
            str(prepared), str(out_path),
            Pictures(MANIFEST["onnx"]["input"], calibration_pictures(INT8["calibration_size"])),
            quant_format=QuantFormat.QDQ, per_channel=True,
            activation_type=QuantType.QUInt8, weight_type=QuantType.QInt8,
            op_types_to_quantize=QUANTIZED_OPS, nodes_to_exclude=[argmax_input_node(prepared)],
            calibrate_method=CalibrationMethod.MinMax,
        )


def agreement(float_model: Path, int8_model: Path) -> dict[int, float]:
    """Share of the sample photo's pixels whose label int8 and float32 agree on, per size."""
    import onnxruntime as ort

    from models.convert_onnx import onnx_labels, sample_batch

    sessions = [ort.InferenceSession(str(path), providers=["CPUExecutionProvider"]) for path in (float_model, int8_model)]
    result = {}
    for size in MANIFEST["sizes"]:
        batch = sample_batch(size)
        reference, quantized = (onnx_labels(session, batch) for session in sessions)
        result[size] = float((reference == quantized).mean())
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("float_model", type=Path)
    parser.add_argument("out_dir", type=Path)
    args = parser.parse_args(argv)
    args.out_dir.mkdir(parents=True, exist_ok=True)
    out_path = args.out_dir / INT8["model"]
    quantize(args.float_model, out_path)
    for size, share in agreement(args.float_model, out_path).items():
        served = size in INT8["sizes"]
        print(f"quantize: int8 labels equal float32's on {share:.4%} of the sample photo's pixels at {size}"
              + ("" if served else " (this size runs float32)"))
        if served and share < INT8["min_agreement"]:
            print(f"quantize: below {INT8['min_agreement']:.1%}; not using the int8 model", file=sys.stderr)
            return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
