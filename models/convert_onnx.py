"""Converts the tfjs graph model to ONNX, and checks the result against TensorFlow.

    .venv-convert/bin/python -m models.convert_onnx OUT_DIR

Runs in its own virtualenv (tensorflow-cpu, tf2onnx, onnx, onnxruntime; see
models/convert-requirements.txt), which scripts/setup creates only when the ONNX
files are missing or stale. tf2onnx's own --tfjs reader fails on this model, so
the GraphDef is rebuilt here from model.json, with tfjs' fused ops split back
into standard TensorFlow ops.

Writes model.onnx: dynamic height and width; outputs `labels` uint8 [H,W] class
ids and `logits` float32 [1,H,W,19].
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
MANIFEST = json.loads((ROOT / "models" / "manifest.json").read_text())
TFJS_DIR = ROOT / "models" / "dist" / MANIFEST["tfjs"]["dir"]
CHECK_PHOTO = ROOT / "web" / "assets" / "sample-astronaut.jpg"
OPSET = 17

FUSED_TO_PLAIN = {"_FusedConv2D": "Conv2D", "FusedDepthwiseConv2dNative": "DepthwiseConv2dNative"}
PLAIN_ATTRS = {
    "Conv2D": ("T", "strides", "padding", "data_format", "dilations", "use_cudnn_on_gpu", "explicit_paddings"),
    "DepthwiseConv2dNative": ("T", "strides", "padding", "data_format", "dilations", "explicit_paddings"),
}


def read_weights(model_dir: Path, model_json: dict) -> dict[str, np.ndarray]:
    weights = {}
    for group in model_json["weightsManifest"]:
        blob = b"".join((model_dir / path).read_bytes() for path in group["paths"])
        offset = 0
        for spec in group["weights"]:
            if "quantization" in spec:
                raise ValueError(f"quantized weight {spec['name']} is not supported")
            dtype = np.dtype(spec["dtype"])
            count = int(np.prod(spec["shape"], dtype=np.int64))
            weights[spec["name"]] = np.frombuffer(blob, dtype=dtype, count=count, offset=offset).reshape(spec["shape"])
            offset += count * dtype.itemsize
    return weights


def rebuild_graph_def(model_dir: Path):
    """tfjs model.json + shards -> a TensorFlow GraphDef of standard ops."""
    import tensorflow as tf
    from google.protobuf import json_format
    from tensorflow.core.framework import attr_value_pb2, node_def_pb2

    model_json = json.loads((model_dir / "model.json").read_text())
    weights = read_weights(model_dir, model_json)
    graph = tf.compat.v1.GraphDef()

    for node_json in model_json["modelTopology"]["node"]:
        node = json_format.ParseDict(node_json, node_def_pb2.NodeDef())
        node.ClearField("device")
        if node.op == "Const":
            node.attr["value"].CopyFrom(attr_value_pb2.AttrValue(tensor=tf.make_tensor_proto(weights[node.name])))
            graph.node.append(node)
            continue
        if node.op not in FUSED_TO_PLAIN:
            graph.node.append(node)
            continue

        # tfjs fuses conv + BiasAdd (+ activation) into one node; split it back.
        fused_ops = [op.decode() for op in node.attr["fused_ops"].list.s]
        if fused_ops[0] != "BiasAdd" or len(fused_ops) > 2 or len(node.input) != 3:
            raise ValueError(f"{node.name}: unsupported fusion {fused_ops}")
        plain_op = FUSED_TO_PLAIN[node.op]
        conv = graph.node.add(name=f"{node.name}/conv", op=plain_op, input=list(node.input[:2]))
        for key in PLAIN_ATTRS[plain_op]:
            if key in node.attr:
                conv.attr[key].CopyFrom(node.attr[key])
        activation = fused_ops[1] if len(fused_ops) == 2 else None
        bias = graph.node.add(name=f"{node.name}/bias" if activation else node.name, op="BiasAdd",
                              input=[conv.name, node.input[2]])
        bias.attr["T"].CopyFrom(node.attr["T"])
        bias.attr["data_format"].CopyFrom(node.attr["data_format"])
        if activation:
            act = graph.node.add(name=node.name, op=activation, input=[bias.name])
            act.attr["T"].CopyFrom(node.attr["T"])
    return graph


def convert(graph_def):
    """GraphDef -> ONNX ModelProto with inputs/outputs named for the app."""
    import onnx
    import tf2onnx
    from onnx import TensorProto, helper

    tfjs = MANIFEST["tfjs"]
    model, _ = tf2onnx.convert.from_graph_def(
        graph_def,
        input_names=[f"{tfjs['input']}:0"],
        output_names=[f"{tfjs['labels_output']}:0", f"{tfjs['logits_output']}:0"],
        opset=OPSET,
    )
    graph = model.graph
    graph.input[0].name = renamed = tfjs["input"]
    for node in graph.node:
        node.input[:] = [renamed if name == f"{tfjs['input']}:0" else name for name in node.input]
    labels_int64, logits = graph.output[0].name, graph.output[1].name
    # uint8 labels: an eighth of int64's bytes to copy off the device for every frame.
    graph.node.append(helper.make_node("Cast", [labels_int64], ["labels"], to=TensorProto.UINT8, name="labels_uint8"))
    graph.node.append(helper.make_node("Identity", [logits], ["logits"], name="logits_out"))
    del graph.output[:]
    graph.output.extend([
        helper.make_tensor_value_info("labels", TensorProto.UINT8, ["height", "width"]),
        helper.make_tensor_value_info("logits", TensorProto.FLOAT, [1, "height", "width", len(MANIFEST["classes"])]),
    ])
    dims = graph.input[0].type.tensor_type.shape.dim
    for dim, value in zip(dims, [1, "height", "width", 3]):
        dim.Clear()
        if isinstance(value, int):
            dim.dim_value = value
        else:
            dim.dim_param = value
    model.producer_name = "faceparts models/convert_onnx.py"
    onnx.checker.check_model(model)
    return model


def check_against_tensorflow(graph_def, onnx_path: Path, size: int) -> float:
    """Share of pixels where ONNX Runtime's labels equal TensorFlow's on the sample photo."""
    import onnxruntime as ort
    import tensorflow as tf
    from PIL import Image

    image = np.asarray(Image.open(CHECK_PHOTO).convert("RGB").resize((size, size), Image.BILINEAR), dtype=np.float32)
    batch = (image / 127.5 - 1.0)[None]
    with tf.Graph().as_default() as graph:
        tf.compat.v1.import_graph_def(graph_def, name="")
        with tf.compat.v1.Session(graph=graph) as session:
            expected = session.run(f"{MANIFEST['tfjs']['labels_output']}:0", {f"{MANIFEST['tfjs']['input']}:0": batch})
    session = ort.InferenceSession(str(onnx_path), providers=["CPUExecutionProvider"])
    labels = session.run(["labels"], {MANIFEST["tfjs"]["input"]: batch})[0]
    return float((labels == expected).mean())


def main(argv: list[str] | None = None) -> int:
    import onnx

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out_dir", type=Path)
    args = parser.parse_args(argv)
    args.out_dir.mkdir(parents=True, exist_ok=True)

    graph_def = rebuild_graph_def(TFJS_DIR)
    model = convert(graph_def)
    onnx.save(model, args.out_dir / "model.onnx")
    for size in MANIFEST["sizes"]:
        agreement = check_against_tensorflow(graph_def, args.out_dir / "model.onnx", size)
        print(f"convert: ONNX labels equal TensorFlow's on {agreement:.4%} of pixels at {size}")
        if agreement < 0.999:
            print("convert: the ONNX model disagrees with the original; not using it", file=sys.stderr)
            return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
