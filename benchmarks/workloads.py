"""What is timed: the data, the fits of both libraries, the GEMM bound,
PyTorch's fit of the same network, and the dispatch-overhead probe."""

import gc
import time
from types import MappingProxyType

import numpy as np
from sklearn.neural_network import MLPClassifier

from benchmarks import _common, metrics
from skbp import BackpropClassifier

try:  # optional third party; never installed by this project
    import torch
except ImportError:
    torch = None

ESTIMATORS = MappingProxyType({"skbp": BackpropClassifier, "sklearn": MLPClassifier})


class Datasets:
    """The configs' data; the generated float64 set is kept until the next
    config asks for another one (one at a time: large is 160 MB)."""

    def __init__(self):
        self._key = None
        self._data = None

    def load(self, cfg):
        """X in cfg.dtype (C-contiguous) and integer labels."""
        if cfg.data == "digits":
            return _common.digits(cfg.dtype)
        key = (cfg.n_samples, cfg.n_features, cfg.n_classes)
        if key != self._key:
            self.clear()
            self._data = _common.classification(*key, np.float64)
            self._key = key
        X, y = self._data
        return np.ascontiguousarray(X, dtype=cfg.dtype), y

    def clear(self):
        self._key = self._data = None


def estimator_params(cfg, epochs=None):
    """The same parameters for both libraries: exactly ``epochs`` epochs."""
    return {
        "hidden_layer_sizes": cfg.hidden,
        "activation": "logistic",
        "solver": cfg.solver,
        "batch_size": cfg.batch_size,
        "learning_rate_init": cfg.learning_rate_init,
        "max_iter": cfg.epochs if epochs is None else epochs,
        "tol": 0.0,
        "n_iter_no_change": np.inf,
        "random_state": _common.SEED,
    }


def timed_fit(lib, params, X, y):
    """(seconds, fitted estimator) of one fit by ``lib``."""
    est = ESTIMATORS[lib](**params)
    gc.collect()
    t0 = time.perf_counter()
    est.fit(X, y)
    return time.perf_counter() - t0, est


def gemm_bound(X, coefs, batch_size, epochs):
    """Seconds for the training's matrix products alone (same batches)."""
    n = X.shape[0]
    rng = np.random.default_rng(0)
    outs = [
        rng.standard_normal((batch_size, W.shape[1])).astype(X.dtype) for W in coefs
    ]
    deltas = [o.copy() for o in outs]
    grads = [np.empty_like(W) for W in coefs]
    last = len(coefs) - 1
    matmul = np.matmul
    t0 = time.perf_counter()
    for _ in range(epochs):
        for start in range(0, n, batch_size):
            stop = min(start + batch_size, n)
            m = stop - start
            a = X[start:stop]
            for i in range(last + 1):
                matmul(a, coefs[i], out=outs[i][:m])
                a = outs[i][:m]
            for i in range(last, -1, -1):
                a = X[start:stop] if i == 0 else outs[i - 1][:m]
                matmul(a.T, deltas[i][:m], out=grads[i])
                if i > 0:
                    matmul(deltas[i][:m], coefs[i].T, out=deltas[i - 1][:m])
    return time.perf_counter() - t0


def fit_torch(cfg, X, y_idx, n_classes):
    """Train the same network with PyTorch on the CPU; (seconds, loss, acc).

    Same initial weights (copied from scikit-learn's draw), same shuffles
    (the RandomState continues after the draw, as in MLPClassifier), a
    softmax output with cross-entropy and the same L2 term (alpha=1e-4).
    """
    layer_units = [X.shape[1], *cfg.hidden, n_classes]
    coefs, intercepts, rs = _common.initial_weights(layer_units, X.dtype)
    from sklearn.utils import shuffle

    tdtype = torch.float32 if X.dtype == np.float32 else torch.float64
    alpha, n, bs = 1e-4, X.shape[0], cfg.batch_size
    gc.collect()
    t0 = time.perf_counter()
    layers, weights = [], []
    for i, (W, b) in enumerate(zip(coefs, intercepts)):
        lin = torch.nn.Linear(W.shape[0], W.shape[1], dtype=tdtype)
        with torch.no_grad():
            lin.weight.copy_(torch.from_numpy(np.ascontiguousarray(W.T)))
            lin.bias.copy_(torch.from_numpy(b))
        layers.append(lin)
        weights.append(lin.weight)
        if i < len(coefs) - 1:
            layers.append(torch.nn.Sigmoid())
    model = torch.nn.Sequential(*layers)
    if cfg.solver == "adam":
        opt = torch.optim.Adam(
            model.parameters(), lr=cfg.learning_rate_init, betas=(0.9, 0.999), eps=1e-8
        )
    else:
        opt = torch.optim.SGD(
            model.parameters(), lr=cfg.learning_rate_init, momentum=0.9, nesterov=True
        )
    cross_entropy = torch.nn.CrossEntropyLoss()
    Xt, yt = torch.from_numpy(X), torch.from_numpy(y_idx)
    sample_idx = np.arange(n)
    epoch_loss = float("nan")
    for _ in range(cfg.epochs):
        sample_idx = shuffle(sample_idx, random_state=rs)
        idx = torch.from_numpy(sample_idx)
        total = 0.0
        for start in range(0, n, bs):
            b = idx[start : start + bs]
            loss = cross_entropy(model(Xt.index_select(0, b)), yt.index_select(0, b))
            loss = loss + 0.5 * alpha * sum((w * w).sum() for w in weights) / len(b)
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()
            total += loss.item() * len(b)
        epoch_loss = total / n
    seconds = time.perf_counter() - t0
    with torch.no_grad():
        acc = float((model(Xt).argmax(dim=1) == yt).double().mean())
    return seconds, epoch_loss, acc


def overhead_probe(cfg, X, y, repeats=3):
    """Per-batch cost of the training loop when the arithmetic is ~free.

    Same rows, batch size, classes, solver and dtype as ``cfg``, but 4
    features and (4, 4) hidden units: what is left is Python and numpy call
    dispatch, paid per batch whatever the layer sizes. One epoch's cost is
    the difference of a 2-epoch and a 1-epoch fit (best of ``repeats``),
    which removes the per-fit set-up (validation, label binarizer, ...).
    """
    X4 = np.ascontiguousarray(X[:, :4])
    n_batches = -(-X.shape[0] // cfg.batch_size)
    out = {"n_batches_per_epoch": n_batches}
    for lib in ESTIMATORS:
        best = {}
        for epochs in (1, 2):
            params = estimator_params(cfg, epochs=epochs)
            params["hidden_layer_sizes"] = (4,) * len(cfg.hidden)
            best[epochs] = min(timed_fit(lib, params, X4, y)[0] for _ in range(repeats))
        out[lib] = metrics.probe_costs(best[1], best[2], n_batches)
    return out
