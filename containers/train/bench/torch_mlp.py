"""PyTorch CPU reference for the Kiln Fashion-MNIST benchmark.

Trains the same network as the train tool (same layers, Adam, same batch size, epochs,
learning-rate schedule and warm-up, categorical cross-entropy with the same label smoothing) on
the same tensors (the split artifact's training set) and reports training samples per second
and test accuracy as one JSON line.

Usage: python3 torch_mlp.py config.json
The config names the raw tensor files (little-endian, as the Kiln tools write them) and the
hyperparameters; fashion-mnist-bench.mjs writes it.
"""

import json
import math
import sys
import time

import numpy as np
import torch
from torch import nn


def load_images(spec):
    dtype = np.uint8 if spec["dtype"] == "uint8" else np.float32
    values = np.fromfile(spec["path"], dtype=dtype).astype(np.float32)
    values = values * spec["scale"] + spec["offset"]
    return torch.from_numpy(values.reshape(spec["count"], -1))


def load_labels(path):
    return torch.from_numpy(np.fromfile(path, dtype=np.uint8).astype(np.int64))


def build(config, inputs, classes):
    layers = []
    width = inputs
    hidden = config["hiddenUnits"] if config["architecture"] == "dense" else []
    for units in hidden:
        layers += [nn.Linear(width, units), nn.ReLU()]
        if config["dropout"] > 0:
            layers.append(nn.Dropout(config["dropout"]))
        width = units
    layers.append(nn.Linear(width, classes))
    return nn.Sequential(*layers)


def learning_rate_at(config, epoch, fraction):
    """The train tool's learningRateAt (containers/train/src/learning-rate-schedule.ts)."""
    first = config["learningRate"]
    last = config.get("finalLearningRate") or first
    epochs = config["epochs"]
    warmup = min(config.get("warmupEpochs", 0), epochs)
    at = epoch + fraction
    if at < warmup:
        return first * (0.1 + 0.9 * at / warmup)
    if config.get("learningRateSchedule", "exponential") == "exponential":
        span = epochs - 1 - math.ceil(warmup)
        done = max(0, epoch - math.ceil(warmup))
        return first if span <= 0 else first * (last / first) ** (done / span)
    span = epochs - warmup
    progress = 1 if span <= 0 else min(1, (at - warmup) / span)
    return last + 0.5 * (first - last) * (1 + math.cos(math.pi * progress))


def main():
    config = json.load(open(sys.argv[1]))
    if config.get("threads"):
        torch.set_num_threads(config["threads"])
    torch.manual_seed(config["seed"])
    x = load_images(config["train"]["images"])
    y = load_labels(config["train"]["labels"])
    tx = load_images(config["test"]["images"])
    ty = load_labels(config["test"]["labels"])
    model = build(config, x.shape[1], config["classes"])
    optimizer = torch.optim.Adam(model.parameters(), lr=config["learningRate"])
    epochs = config["epochs"]
    loss_fn = nn.CrossEntropyLoss(label_smoothing=config.get("labelSmoothing", 0))
    batch = config["batchSize"]
    count = x.shape[0]
    batches = math.ceil(count / batch)
    train_seconds = 0.0
    for epoch in range(epochs):
        model.train()
        started = time.perf_counter()
        order = torch.randperm(count)
        for b in range(batches):
            for group in optimizer.param_groups:
                group["lr"] = learning_rate_at(config, epoch, b / batches)
            rows = order[b * batch:(b + 1) * batch]
            optimizer.zero_grad()
            loss = loss_fn(model(x[rows]), y[rows])
            loss.backward()
            optimizer.step()
        train_seconds += time.perf_counter() - started
        print(f"epoch {epoch + 1}: loss {loss.item():.4f} ({time.perf_counter() - started:.1f}s)", file=sys.stderr)
    model.eval()
    with torch.no_grad():
        accuracy = (model(tx).argmax(1) == ty).float().mean().item()
    print(json.dumps({
        "samplesPerSecond": count * epochs / train_seconds,
        "trainSeconds": train_seconds,
        "testAccuracy": accuracy,
        "threads": torch.get_num_threads(),
        "torchVersion": torch.__version__,
    }))


if __name__ == "__main__":
    main()
