#!/usr/bin/env python3
"""Reference peer for benchmarks: the classic from-scratch two-layer net (784 -> H ReLU -> 10 softmax)
trained with full-batch gradient descent in numpy, as in the notebooks this project grew out of.
Reads mnist_train.csv.gz (with its header) and mnist_test.csv.gz (without) from --mnist DIR (default: $MNIST_DIR, else
~/.cache/spark-digits/mnist, the folder `mvn test` fills). Run it in the same benchmark session as the project's own
figures.

  python3 bench/peers/seed_numpy.py --mnist DIR --hidden 10  --init classic --seed 0     # the notebooks' setting
  python3 bench/peers/seed_numpy.py --mnist DIR --hidden 128 --init he      --seed 0

Prints one JSON line: median/min/max seconds per iteration, train and test accuracy.
Measured here (2 cores, OpenBLAS 2 threads): H=10 ~80 ms/iteration, 85.0-85.4% test after 500 iterations;
H=128 (he) ~365 ms/iteration, 92.6% test.
"""
import argparse, ctypes, glob, gzip, json, os, statistics, time
import numpy as np

DATA = os.environ.get("MNIST_DIR") or os.path.join(os.path.expanduser("~"), ".cache", "spark-digits", "mnist")
CACHE = "/tmp/anchors-cache"


def load(data, name, header):
    """Return (labels int64[m], pixels uint8[m,784]); parsed CSV is cached as .npy."""
    os.makedirs(CACHE, exist_ok=True)
    npy = os.path.join(CACHE, name + ".npy")
    if not os.path.exists(npy):
        with gzip.open(os.path.join(data, name + ".csv.gz"), "rt") as f:
            a = np.loadtxt(f, delimiter=",", skiprows=1 if header else 0, dtype=np.uint8)
        np.save(npy, a)
    a = np.load(npy)
    return a[:, 0].astype(np.int64), a[:, 1:]


def openblas_threads():
    libs = glob.glob(os.path.join(os.path.dirname(np.__file__), "..", "numpy.libs", "libscipy_openblas*.so"))
    for lib in libs:
        so = ctypes.CDLL(lib)
        for fn in ("scipy_openblas_get_num_threads64_", "openblas_get_num_threads64_", "openblas_get_num_threads"):
            if hasattr(so, fn):
                return getattr(so, fn)()
    return None


def init_params(H, scheme, rng):
    if scheme == "classic":  # everything uniform(-0.5, 0.5)
        u = lambda *s: rng.uniform(-0.5, 0.5, s)
        return u(H, 784), u(H, 1), u(10, H), u(10, 1)
    # He-uniform weights, zero biases
    l1, l2 = np.sqrt(6 / 784), np.sqrt(6 / H)
    return (rng.uniform(-l1, l1, (H, 784)), np.zeros((H, 1)),
            rng.uniform(-l2, l2, (10, H)), np.zeros((10, 1)))


def forward(W1, b1, W2, b2, X):
    Z1 = W1 @ X + b1
    A1 = np.maximum(Z1, 0)
    Z2 = W2 @ A1 + b2
    E = np.exp(Z2 - Z2.max(axis=0, keepdims=True))  # same softmax, numerically safe
    return Z1, A1, E / E.sum(axis=0, keepdims=True)


def accuracy(params, X, y):
    return float((forward(*params, X)[2].argmax(axis=0) == y).mean())


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--hidden", type=int, default=10)
    ap.add_argument("--init", choices=["classic", "he"], default="classic")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--iters", type=int, default=500)
    ap.add_argument("--alpha", type=float, default=0.10)
    ap.add_argument("--mnist", default=DATA)
    a = ap.parse_args()

    t0 = time.perf_counter()
    ytr, Ptr = load(a.mnist, "mnist_train", header=True)
    yte, Pte = load(a.mnist, "mnist_test", header=False)
    Xtr = Ptr.T / 255.0          # 784 x m, float64
    Xte = Pte.T / 255.0
    load_s = time.perf_counter() - t0
    m = Xtr.shape[1]
    Y = np.zeros((10, m)); Y[ytr, np.arange(m)] = 1.0

    W1, b1, W2, b2 = init_params(a.hidden, a.init, np.random.default_rng(a.seed))
    load_before = os.getloadavg()[0]
    it_times = []
    t_train = time.perf_counter()
    for _ in range(a.iters):
        t = time.perf_counter()
        Z1, A1, A2 = forward(W1, b1, W2, b2, Xtr)
        dZ2 = A2 - Y
        dW2 = dZ2 @ A1.T / m
        db2 = dZ2.sum(axis=1, keepdims=True) / m
        dZ1 = (W2.T @ dZ2) * (Z1 > 0)
        dW1 = dZ1 @ Xtr.T / m
        db1 = dZ1.sum(axis=1, keepdims=True) / m
        W1 -= a.alpha * dW1; b1 -= a.alpha * db1
        W2 -= a.alpha * dW2; b2 -= a.alpha * db2
        it_times.append(time.perf_counter() - t)
    train_s = time.perf_counter() - t_train
    A2 = forward(W1, b1, W2, b2, Xtr)[2]
    loss = float(-np.log(A2[ytr, np.arange(m)] + 1e-12).mean())
    p = (W1, b1, W2, b2)
    print(json.dumps({
        "hidden": a.hidden, "init": a.init, "seed": a.seed, "iters": a.iters, "alpha": a.alpha,
        "openblas_threads": openblas_threads(), "dtype": str(Xtr.dtype),
        "load_s": round(load_s, 3), "train_s": round(train_s, 3),
        "iter_median_s": round(statistics.median(it_times), 5),
        "iter_min_s": round(min(it_times), 5), "iter_max_s": round(max(it_times), 5),
        "train_loss": round(loss, 4),
        "train_acc": round(accuracy(p, Xtr, ytr), 4), "test_acc": round(accuracy(p, Xte, yte), 4),
        "load_before": load_before, "load_after": os.getloadavg()[0],
    }))


if __name__ == "__main__":
    main()
