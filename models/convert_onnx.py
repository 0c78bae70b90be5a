"""Converts the tfjs graph model to ONNX, and checks the result against TensorFlow.

    .venv-convert/bin/python -m models.convert_onnx OUT_DIR

Runs in its own virtualenv (tensorflow-cpu, tf2onnx, onnx, onnxruntime; see
models/convert-requirements.txt), which scripts/setup creates only when the ONNX
files are missing or stale. tf2onnx's own --tfjs reader fails on this model, so
the GraphDef is rebuilt here from model.json, with tfjs' fused ops split back
into standard TensorFlow ops.

Writes model.onnx: dynamic height and width; outputs `labels` uint8 [H,W] class
ids and `logits` float32 [1,H,W,19]. It serves native ONNX Runtime and ONNX Runtime
Web on WASM and WebGPU. Writes model-webgl.onnx beside it: the same network in the
ops, and op variants, that ONNX Runtime Web's WebGL backend computes correctly.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
MANIFEST = json.loads((ROOT / "models" / "manifest.json").read_text())
# The parser's own classes (its output channels): the manifest's, less the person mask's body.
MODEL_CLASSES = sum(cls["name"] != MANIFEST["person"]["body_class"] for cls in MANIFEST["classes"])
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
        helper.make_tensor_value_info("logits", TensorProto.FLOAT, [1, "height", "width", MODEL_CLASSES]),
    ])
    dims = graph.input[0].type.tensor_type.shape.dim
    for dim, value in zip(dims, [1, "height", "width", 3]):
        dim.Clear()
        if isinstance(value, int):
            dim.dim_value = value
        else:
            dim.dim_param = value
    model.producer_name = "faceparts models/convert_onnx.py"
    drop_softmax_before_argmax(model)
    expand_depth_multipliers(model)
    onnx.checker.check_model(model)
    return model


def node_by_output(graph, name: str):
    return next(node for node in graph.node if name in node.output)


def drop_softmax_before_argmax(model) -> None:
    """ArgMax(Softmax(x)) -> ArgMax(x): the same classes, and the softmax over 19 channels of
    every pixel was half of the whole network's time (native and WASM alike)."""
    graph = model.graph
    argmax = next(node for node in graph.node if node.op_type == "ArgMax")
    softmax = node_by_output(graph, argmax.input[0])
    if softmax.op_type != "Softmax":
        raise ValueError(f"ArgMax reads {softmax.op_type}, expected Softmax")
    argmax.input[0] = softmax.input[0]
    graph.node.remove(softmax)


def expand_depth_multipliers(model) -> int:
    """Depthwise convolutions with a channel multiplier m (TensorFlow's depth_multiplier:
    grouped Conv, one input channel per group, m outputs each) become a Gather that repeats
    every input channel m times, then a plain depthwise Conv: the same arithmetic.

    ONNX Runtime Web's WebGPU and WebGL kernels compute the multiplier form wrongly (1.30:
    70-74 % of labels right); WASM is no slower in the plain form. Returns how many changed.
    """
    from onnx import helper, numpy_helper

    graph = model.graph
    weights = {init.name: init for init in graph.initializer}
    nodes, changed = [], 0
    for node in graph.node:
        group = next((attr.i for attr in node.attribute if attr.name == "group"), 1)
        weight = weights.get(node.input[1]) if node.op_type == "Conv" and len(node.input) > 1 else None
        if weight is not None and group > 1 and weight.dims[1] == 1 and weight.dims[0] > group:
            out_channels = weight.dims[0]
            indices = f"{node.name}/repeated_channels"
            graph.initializer.append(numpy_helper.from_array(
                np.repeat(np.arange(group, dtype=np.int64), out_channels // group), indices))
            repeated = f"{node.name}/repeated_input"
            nodes.append(helper.make_node("Gather", [node.input[0], indices], [repeated], axis=1,
                                          name=f"{node.name}/repeat_channels"))
            node.input[0] = repeated
            node.attribute.remove(next(attr for attr in node.attribute if attr.name == "group"))
            node.attribute.append(helper.make_attribute("group", out_channels))
            changed += 1
        nodes.append(node)
    del graph.node[:]
    graph.node.extend(nodes)
    return changed


def webgl_variant(model):
    """A copy of the model for ONNX Runtime Web's WebGL backend (1.30), which

    - has no ArgMax: labels = the first channel equal to the channel maximum, from ReduceMax,
      Equal and a descending weight per channel (ties go to the lowest id, as ArgMax does);
    - applies Relu to convolutions that have none when it fuses Conv+Relu elsewhere in the
      graph: Relu is written as LeakyRelu(alpha=0), which it computes alone, with equal results;
    - needs every input dimension declared: see declare_input_dims, applied after the copy has
      been checked (native ONNX Runtime needs the dimensions symbolic).
    Only `labels` is kept as an output.
    """
    import onnx
    from onnx import TensorProto, helper, numpy_helper

    variant = onnx.ModelProto()
    variant.CopyFrom(model)
    graph = variant.graph
    argmax = next(node for node in graph.node if node.op_type == "ArgMax")
    scores = argmax.input[0]
    classes = MODEL_CLASSES
    graph.initializer.extend([
        numpy_helper.from_array((classes - np.arange(classes, dtype=np.float32)).reshape(1, classes, 1, 1),
                                "argmax/descending_weights"),
        numpy_helper.from_array(np.array([classes], dtype=np.float32), "argmax/classes"),
    ])
    replacement = [
        helper.make_node("ReduceMax", [scores], ["argmax/max"], axes=[1], keepdims=1),
        helper.make_node("Equal", [scores, "argmax/max"], ["argmax/is_max"]),
        helper.make_node("Cast", ["argmax/is_max"], ["argmax/is_max_float"], to=TensorProto.FLOAT),
        helper.make_node("Mul", ["argmax/is_max_float", "argmax/descending_weights"], ["argmax/weighted"]),
        helper.make_node("ReduceMax", ["argmax/weighted"], ["argmax/best_weight"], axes=[1], keepdims=0),
        helper.make_node("Sub", ["argmax/classes", "argmax/best_weight"], [argmax.output[0]]),
    ]
    nodes = []
    for node in graph.node:
        if node is argmax:
            nodes.extend(replacement)
            continue
        if node.op_type == "Relu":
            node.op_type = "LeakyRelu"
            node.attribute.append(helper.make_attribute("alpha", 0.0))
        nodes.append(node)
    del graph.node[:]
    graph.node.extend(nodes)
    # The float class ids feed the uint8 Cast as ArgMax's int64 did.
    labels = [output for output in graph.output if output.name == "labels"]
    del graph.output[:]
    graph.output.extend(labels)
    onnx.checker.check_model(variant)
    return variant


def declare_input_dims(model) -> None:
    """Symbolic input dimensions (height, width) become 0, which ONNX Runtime Web's WebGL
    backend reads as "fixed by a session's first run" (the page keeps a session per size)."""
    for dim in model.graph.input[0].type.tensor_type.shape.dim:
        if dim.dim_param:
            dim.Clear()
            dim.dim_value = 0


def sample_batch(size: int) -> np.ndarray:
    """The sample photo as the model's input at size x size."""
    from PIL import Image

    image = np.asarray(Image.open(CHECK_PHOTO).convert("RGB").resize((size, size), Image.BILINEAR), dtype=np.float32)
    return (image * np.float32(MANIFEST["input"]["scale"]) + np.float32(MANIFEST["input"]["offset"]))[None]


def tensorflow_labels(graph_def, batch: np.ndarray) -> np.ndarray:
    import tensorflow as tf

    with tf.Graph().as_default() as graph:
        tf.compat.v1.import_graph_def(graph_def, name="")
        with tf.compat.v1.Session(graph=graph) as session:
            return session.run(f"{MANIFEST['tfjs']['labels_output']}:0", {f"{MANIFEST['tfjs']['input']}:0": batch})


def onnx_labels(session, batch: np.ndarray) -> np.ndarray:
    return session.run(["labels"], {MANIFEST["tfjs"]["input"]: batch})[0]


def main(argv: list[str] | None = None) -> int:
    import onnx
    import onnxruntime as ort

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out_dir", type=Path)
    args = parser.parse_args(argv)
    args.out_dir.mkdir(parents=True, exist_ok=True)

    graph_def = rebuild_graph_def(TFJS_DIR)
    model = convert(graph_def)
    onnx.save(model, args.out_dir / "model.onnx")
    webgl_model = webgl_variant(model)
    session, webgl_session = (ort.InferenceSession(m.SerializeToString(), providers=["CPUExecutionProvider"])
                              for m in (model, webgl_model))
    for size in MANIFEST["sizes"]:
        batch = sample_batch(size)
        labels = onnx_labels(session, batch)
        agreement = float((labels == tensorflow_labels(graph_def, batch)).mean())
        print(f"convert: ONNX labels equal TensorFlow's on {agreement:.4%} of pixels at {size}")
        if agreement < 0.999:
            print("convert: the ONNX model disagrees with the original; not using it", file=sys.stderr)
            return 1
        agreement = float((onnx_labels(webgl_session, batch) == labels).mean())
        print(f"convert: the WebGL copy's labels equal model.onnx's on {agreement:.4%} of pixels at {size}")
        if agreement < 1.0:
            print("convert: the WebGL copy disagrees with model.onnx; not using it", file=sys.stderr)
            return 1
    declare_input_dims(webgl_model)
    onnx.save(webgl_model, args.out_dir / MANIFEST["onnx"]["webgl_model"])
    return 0


if __name__ == "__main__":
    sys.exit(main())
