"""The serving benchmark's anchor: the same network in PyTorch behind Flask (run it under gunicorn).

It loads the very weights the serving container serves (the train container's model.json and
weights.bin, a dense network: Linear+ReLU layers, then Linear+softmax) and answers the same Open
Inference Protocol requests: POST /v2/models/<model>/infer with one FP32 or UINT8 tensor of raw
pixels, normalised as the model's metadata says.

    KILN_MODEL_DIR=/path/to/model gunicorn -w 2 -b 127.0.0.1:9000 torch_oip_server:app
"""

import json
import os
import uuid

import numpy as np
import torch
from flask import Flask, jsonify, request

# One thread per worker process: the workers share the cores.
torch.set_num_threads(1)


def load_network(model_dir):
    """The dense network of a TensorFlow.js layers model, with its weights, in PyTorch."""
    with open(os.path.join(model_dir, "model.json")) as file:
        model = json.load(file)
    weights = np.fromfile(os.path.join(model_dir, "weights.bin"), dtype="<f4")
    specs = model["weightsManifest"][0]["weights"]
    tensors, offset = [], 0
    for spec in specs:
        size = int(np.prod(spec["shape"]))
        tensors.append(weights[offset : offset + size].reshape(spec["shape"]))
        offset += size
    layers = []
    dense = [layer for layer in model["modelTopology"]["config"]["layers"] if layer["class_name"] == "Dense"]
    for index, layer in enumerate(dense):
        kernel, bias = tensors[2 * index], tensors[2 * index + 1]
        linear = torch.nn.Linear(kernel.shape[0], kernel.shape[1])
        with torch.no_grad():
            linear.weight.copy_(torch.from_numpy(kernel.T.copy()))
            linear.bias.copy_(torch.from_numpy(bias.copy()))
        layers.append(linear)
        activation = layer["config"]["activation"]
        layers.append(torch.nn.ReLU() if activation == "relu" else torch.nn.Softmax(dim=1))
    metadata = model["userDefinedMetadata"]["kiln"]
    return torch.nn.Sequential(*layers).eval(), metadata


network, metadata = load_network(os.environ["KILN_MODEL_DIR"])
scale = metadata["normalization"]["scale"]
offset = metadata["normalization"]["offset"]
app = Flask(__name__)


@app.post("/v2/models/<model>/infer")
def infer(model):
    body = request.get_json()
    tensor = body["inputs"][0]
    count = tensor["shape"][0]
    if tensor["datatype"] not in ("FP32", "UINT8"):
        return jsonify({"error": "datatype must be FP32 or UINT8"}), 400
    pixels = np.asarray(tensor["data"], dtype=np.float32).reshape(count, -1)
    if pixels.shape[1] != 784 or not np.isfinite(pixels).all() or pixels.min() < 0 or pixels.max() > 255:
        return jsonify({"error": "bad tensor"}), 400
    with torch.no_grad():
        probabilities = network(torch.from_numpy(pixels * scale + offset)).numpy()
    return jsonify(
        {
            "model_name": model,
            "model_version": "1",
            "id": body.get("id") or str(uuid.uuid4()),
            "outputs": [
                {
                    "name": "probabilities",
                    "shape": [count, probabilities.shape[1]],
                    "datatype": "FP32",
                    "data": probabilities.reshape(-1).tolist(),
                }
            ],
        }
    )


@app.get("/v2/health/ready")
def ready():
    return jsonify({"ready": True})
