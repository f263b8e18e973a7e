#!/usr/bin/env python3
"""Independent reference for GoldenTest: full-batch gradient descent on a small fixed input, in numpy.

Written from the notebooks' equations (samples as columns), with two deliberate differences the project
also makes: the bias gradients are summed per unit over the batch, and softmax subtracts the column max.

Regenerate (numpy only; no MNIST involved):
    python3 src/test/python/golden.py > src/test/resources/golden/two_layer_gd.json
"""
import json
import numpy as np

D, H, K, M = 16, 6, 10, 8          # inputs, hidden, classes, rows
LR, ITERS = 0.5, 3

# Fixed input: pixels 0-255 with zeros, labels 0-9. Integers, so Java reads them exactly.
pixels = np.array([[(i * 37 + j * 11 + i * j) % 256 if (i + j) % 3 else 0 for j in range(D)] for i in range(M)])
labels = np.array([(3 * i + 1) % K for i in range(M)])

# Fixed initial parameters, exact binary fractions (k/64) so both sides start from identical bits.
def fixed(shape, salt):
    n = int(np.prod(shape))
    return np.array([(((k * 29 + salt * 7) % 33) - 16) / 64.0 for k in range(n)]).reshape(shape)

W1, b1, W2, b2 = fixed((H, D), 1), fixed((H, 1), 2), fixed((K, H), 3), fixed((K, 1), 4)
init = np.concatenate([W1.ravel(), b1.ravel(), W2.ravel(), b2.ravel()])

X = pixels.T / 255.0                 # D x M
Y = np.zeros((K, M)); Y[labels, np.arange(M)] = 1.0

def forward(W1, b1, W2, b2):
    Z1 = W1 @ X + b1
    A1 = np.maximum(Z1, 0)
    Z2 = W2 @ A1 + b2
    E = np.exp(Z2 - Z2.max(axis=0, keepdims=True))
    return Z1, A1, E / E.sum(axis=0, keepdims=True)

losses, accuracies, first_gradient = [], [], None
for it in range(ITERS):
    Z1, A1, A2 = forward(W1, b1, W2, b2)
    losses.append(float(-np.log(A2[labels, np.arange(M)]).mean()))
    accuracies.append(float((A2.argmax(axis=0) == labels).mean()))
    dZ2 = A2 - Y
    dW2 = dZ2 @ A1.T / M
    db2 = dZ2.sum(axis=1, keepdims=True) / M          # per unit, not one scalar
    dZ1 = (W2.T @ dZ2) * (Z1 > 0)
    dW1 = dZ1 @ X.T / M
    db1 = dZ1.sum(axis=1, keepdims=True) / M
    if first_gradient is None:
        first_gradient = np.concatenate([dW1.ravel(), db1.ravel(), dW2.ravel(), db2.ravel()])
    W1 = W1 - LR * dW1; b1 = b1 - LR * db1
    W2 = W2 - LR * dW2; b2 = b2 - LR * db2

final = np.concatenate([W1.ravel(), b1.ravel(), W2.ravel(), b2.ravel()])
print(json.dumps({
    "inputs": D, "hidden": H, "classes": K, "rows": M, "learning_rate": LR, "iterations": ITERS,
    "pixels": pixels.ravel().tolist(), "labels": labels.tolist(),
    "initial_parameters": init.tolist(),
    "losses": losses, "accuracies": accuracies,
    "first_mean_gradient": first_gradient.tolist(),
    "final_parameters": final.tolist(),
}, indent=1))
