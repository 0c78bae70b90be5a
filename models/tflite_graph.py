"""A TFLite model rebuilt op by op as a frozen TensorFlow graph, and written as a TensorFlow.js
graph model: the face detector's and the person mask's converters share it (convert_detector.py,
convert_person.py). Runs in the converter's own virtualenv (models/convert-requirements.txt).

Only the ops those two models use are known; any other stops the conversion with its name.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np


def read_tflite(path: Path):
    """-> (ops, input name, output names, constants): tf2onnx's parse of the TFLite graph, with
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


def attributes(node) -> dict:
    from onnx import helper

    values = {attr.name: helper.get_attribute_value(attr) for attr in node.attribute}
    return {key: value.decode() if isinstance(value, bytes) else value for key, value in values.items()}


def tensorflow_graph(ops, input_name: str, input_shape: list[int], outputs: dict[str, str], constants: dict):
    """The TFLite ops as one frozen TensorFlow GraphDef with input `input` of input_shape and the
    outputs renamed as `outputs` says ({TFLite name: new name})."""
    import tensorflow as tf

    def activation(value, name):
        if name == "RELU":
            return tf.nn.relu(value)
        if name == "RELU6":
            return tf.nn.relu6(value)
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
            elif op == "Convolution2DTransposeBias":
                # MediaPipe's custom op: a 2x2 transposed convolution of stride 2, then its bias.
                kernel = constants[node.input[1]]  # OHWI
                filters = np.transpose(kernel, (1, 2, 0, 3))  # -> [H, W, out, in], as TensorFlow takes it
                shape = tf.stack([tf.shape(x)[0], tf.shape(x)[1] * 2, tf.shape(x)[2] * 2, kernel.shape[0]])
                y = tf.nn.bias_add(tf.nn.conv2d_transpose(x, filters, shape, strides=[1, 2, 2, 1], padding="VALID"),
                                   constants[node.input[2]])
            elif op == "RELU":
                y = tf.nn.relu(x)
            elif op == "ADD":
                y = activation(tf.add(x, get(node.input[1])), a["fused_activation_function"])
            elif op == "MUL":
                y = activation(tf.multiply(x, get(node.input[1])), a["fused_activation_function"])
            elif op == "HARD_SWISH":
                y = x * tf.nn.relu6(x + 3) / 6
            elif op == "LOGISTIC":
                y = tf.sigmoid(x)
            elif op == "MEAN":
                y = tf.reduce_mean(x, axis=[int(axis) for axis in np.ravel(constants[node.input[1]])], keepdims=bool(a["keep_dims"]))
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
                raise ValueError(f"the model has an op this converter does not know: {node.op_type}")
            values[node.output[0]] = y
        return tuple(tf.identity(values[name], name=renamed) for name, renamed in outputs.items())

    function = tf.function(run).get_concrete_function(tf.TensorSpec(input_shape, tf.float32, name="input"))
    return function.graph.as_graph_def()


def tfjs_graph_model(graph_def, out_dir: Path, model_name: str, weights_name: str, made_by: str) -> None:
    """Writes model_name (model.json) and one weights file: the GraphDef's nodes, with the
    constants' values moved into the weights manifest, as TensorFlow.js graph models hold them."""
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
    (out_dir / weights_name).write_bytes(b"".join(blobs))
    model = {
        "format": "graph-model",
        "generatedBy": made_by,
        "convertedBy": made_by,
        "modelTopology": {"node": nodes, "library": {}, "versions": {}},
        "weightsManifest": [{"paths": [weights_name], "weights": specs}],
    }
    (out_dir / model_name).write_text(json.dumps(model))
