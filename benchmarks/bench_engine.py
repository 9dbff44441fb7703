"""Engine speed: a traced transformer block against the same math in plain NumPy, the per-op
recording overhead on a by-hand model (and PyTorch eager autograd when torch is installed), and
the memory a trace holds against the arrays the computation made anyway.

Run with ``make bench`` (or ``python -m benchmarks engine``). Ratios are measured side by side in
one run, best of several repeats, in CPU time of this process (``time.process_time``), so other
work on a shared machine neither slows one side nor the other.
"""
from __future__ import annotations

import contextlib
import time
import tracemalloc

import numpy as np

import tracer
from benchmarks import goal, side_by_side
from tracer.ops.lazy import eager_children

D, T, HEADS, FFN = 256, 64, 4, 4
# CPU time of this process, not time on the wall: the figures hold on a machine others share.
CLOCK = time.process_time


def _params(rng: np.random.Generator) -> dict[str, np.ndarray]:
    s = 1 / np.sqrt(D)
    return {"Wq": rng.normal(0, s, (D, D)), "Wk": rng.normal(0, s, (D, D)), "Wv": rng.normal(0, s, (D, D)),
            "Wo": rng.normal(0, s, (D, D)), "W1": rng.normal(0, s, (D, FFN * D)), "b1": np.zeros(FFN * D),
            "W2": rng.normal(0, s / 2, (FFN * D, D)), "b2": np.zeros(D)}


# ---- the block through the tracer (row layout: X is (T, d)) ------------------------------------------
def block(x: tracer.Tensor, p: dict[str, tracer.Tensor], target: np.ndarray) -> None:
    tracer.zero_grad(p.values())  # each run computes its gradients afresh, as the NumPy side does
    Q, K, V = (tracer.split(x @ p[w], HEADS, axis=1) for w in ("Wq", "Wk", "Wv"))
    heads = [tracer.attention(q, k, v) for q, k, v in zip(Q, K, V)]
    x1 = tracer.layer_norm(x + tracer.concat(heads, axis=1) @ p["Wo"])
    f = tracer.relu(x1 @ p["W1"] + p["b1"]) @ p["W2"] + p["b2"]
    x2 = tracer.layer_norm(x1 + f)
    tracer.mse(x2, target).backward()


def traced_block(x: tracer.Tensor, p: dict[str, tracer.Tensor], target: np.ndarray) -> None:
    with tracer.record():
        block(x, p, target)


def traced_eagerly(x: tracer.Tensor, p: dict[str, tracer.Tensor], target: np.ndarray) -> None:
    """The block recorded as the engine did before composites ran their fused rules while recording
    (their children as graph nodes, every array made at once): for comparison."""
    with eager_children(), tracer.record():
        block(x, p, target)


def traced_and_read(x: tracer.Tensor, p: dict[str, tracer.Tensor], target: np.ndarray, eager: bool = False) -> None:
    """The block recorded, then every array of its trace read, as saving or rendering it does: the
    composites' children's arrays, put off while recording, are made then."""
    with eager_children() if eager else contextlib.nullcontext(), tracer.record() as trace:
        block(x, p, target)
    for record in trace.tensors.values():
        record.data


# ---- the same math by hand in NumPy: forward, then every gradient -----------------------------------
def _ln(x: np.ndarray) -> tuple[np.ndarray, tuple]:
    mu = x.mean(-1, keepdims=True)
    xc = x - mu
    std = np.sqrt((xc * xc).mean(-1, keepdims=True) + 1e-5)
    xhat = xc / std
    return xhat, (xhat, std)


def _ln_back(g: np.ndarray, cache: tuple) -> np.ndarray:
    xhat, std = cache  # kept from the forward pass, as code written by hand would
    return (g - g.mean(-1, keepdims=True) - xhat * (g * xhat).mean(-1, keepdims=True)) / std


def numpy_block(X: np.ndarray, P: dict[str, np.ndarray], target: np.ndarray) -> dict[str, np.ndarray]:
    dh = D // HEADS
    Q, K, V = X @ P["Wq"], X @ P["Wk"], X @ P["Wv"]
    outs, caches = [], []
    for h in range(HEADS):
        s = slice(h * dh, (h + 1) * dh)
        scores = Q[:, s] @ K[:, s].T / np.sqrt(dh)
        e = np.exp(scores - scores.max(-1, keepdims=True))
        A = e / e.sum(-1, keepdims=True)
        outs.append(A @ V[:, s])
        caches.append(A)
    C = np.concatenate(outs, axis=1)
    x1, ln1 = _ln(X + C @ P["Wo"])
    z = x1 @ P["W1"] + P["b1"]
    r = np.maximum(z, 0)
    f = r @ P["W2"] + P["b2"]
    x2, ln2 = _ln(x1 + f)
    diff = x2 - target
    _loss = (diff * diff).mean()  # the loss itself, as the traced side computes it (a training loop reads it)
    g = 2 * diff / diff.size
    g = _ln_back(g, ln2)
    grads = {"W2": r.T @ g, "b2": g.sum(0)}
    dz = (g @ P["W2"].T) * (z > 0)
    grads.update(W1=x1.T @ dz, b1=dz.sum(0))
    g1 = _ln_back(g + dz @ P["W1"].T, ln1)
    grads["Wo"] = C.T @ g1
    dC = g1 @ P["Wo"].T
    dQ, dK, dV = np.zeros_like(Q), np.zeros_like(K), np.zeros_like(V)
    for h, A in enumerate(caches):
        s = slice(h * dh, (h + 1) * dh)
        dO = dC[:, s]
        dV[:, s] = A.T @ dO
        dA = dO @ V[:, s].T
        dS = A * (dA - (dA * A).sum(-1, keepdims=True)) / np.sqrt(dh)
        dQ[:, s], dK[:, s] = dS @ K[:, s], dS.T @ Q[:, s]
    grads.update(Wq=X.T @ dQ, Wk=X.T @ dK, Wv=X.T @ dV)
    return grads


def check_same_gradients(x: tracer.Tensor, p: dict[str, tracer.Tensor], target: np.ndarray) -> None:
    by_hand = numpy_block(x.numpy(), {k: v.numpy() for k, v in p.items()}, target)
    for run in (traced_block, block, traced_eagerly):  # recorded (fused composites, or every child a node) and not
        run(x, p, target)
        for k, g in by_hand.items():
            np.testing.assert_allclose(p[k].grad, g, rtol=1e-6, atol=1e-9, err_msg=k)


# ---- a by-hand model: recording overhead per op ------------------------------------------------------
def small_model(steps: int = 200, labelled: bool = False, count: bool = True) -> tuple[float, int]:
    """``labelled``: every unit and sample named, so each op also passes the names on. ``count``:
    read the trace's steps afterwards (which writes their formulas) to count them."""
    def names(n: int, prefix: str) -> list[str] | None:
        return [f"{prefix}{i}" for i in range(n)] if labelled else None
    sizes = (4, 3, 2, 3, 4)
    units = [names(n, f"u{k}.") for k, n in enumerate(sizes)]
    W = [tracer.param(np.ones((sizes[k + 1], sizes[k])), name=f"W{k + 1}", rows=units[k + 1], cols=units[k])
         for k in range(4)]
    X = tracer.tensor(np.ones((4, 2)), name="X", rows=units[0], cols=names(2, "s"))
    start = CLOCK()
    with tracer.record() as trace:
        for _ in range(steps):
            tracer.zero_grad(W)  # a training loop: each pass starts its gradients afresh
            h = X
            for w in W:
                h = tracer.relu(w @ h)
            tracer.sse(h, X).backward()
    return CLOCK() - start, len(trace.steps) if count else 0


def torch_small_model(steps: int = 200) -> float | None:
    try:
        import torch
    except ImportError:
        return None
    W = [torch.ones(s, dtype=torch.float64, requires_grad=True) for s in ((3, 4), (2, 3), (3, 2), (4, 3))]
    X = torch.ones((4, 2), dtype=torch.float64)
    start = CLOCK()
    for _ in range(steps):
        for w in W:
            w.grad = None
        h = X
        for w in W:
            h = torch.relu(w @ h)
        ((h - X) ** 2).sum().backward()
    return CLOCK() - start


def memory() -> tuple[int, int]:
    """Bytes the traced run keeps alive against bytes of the arrays its trace refers to."""
    rng = np.random.default_rng(0)
    P, X, target = _params(rng), rng.normal(size=(T, D)), rng.normal(size=(T, D))
    tracemalloc.start()
    p = {k: tracer.param(v, name=k) for k, v in P.items()}
    with tracer.record() as trace:
        x = tracer.tensor(X)
        h = tracer.relu(x @ p["W1"] + p["b1"]) @ p["W2"]
        tracer.mse(h, target).backward()
    held, _ = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    buffers = {}
    for r in trace.tensors.values():
        root = r.data
        while isinstance(root.base, np.ndarray):  # views share their base's memory
            root = root.base
        buffers[id(root)] = root.nbytes
    return held, sum(buffers.values())


def main() -> None:
    rng = np.random.default_rng(0)
    P, X, target = _params(rng), rng.normal(size=(T, D)), rng.normal(size=(T, D))
    p, x = {k: tracer.param(v, name=k) for k, v in P.items()}, tracer.tensor(X, name="X")
    check_same_gradients(x, p, target)
    best = side_by_side({"plain": lambda: numpy_block(X, P, target),
                         "traced": lambda: traced_block(x, p, target),
                         "untraced": lambda: block(x, p, target),
                         "eager": lambda: traced_eagerly(x, p, target),
                         "read": lambda: traced_and_read(x, p, target),
                         "eager_read": lambda: traced_and_read(x, p, target, eager=True)}, clock=CLOCK)
    plain = best["plain"]
    print(f"transformer block d={D} T={T} heads={HEADS} FFN {FFN}x, forward + backward: plain NumPy "
          f"{plain * 1e3:.2f} ms, traced {best['traced'] * 1e3:.2f} ms, untraced autograd "
          f"{best['untraced'] * 1e3:.2f} ms; traced with the composites' children run as graph nodes "
          f"{best['eager'] * 1e3:.2f} ms ({best['eager'] / plain:.2f} of NumPy)")
    print(f"  traced, then every array read (as a save or a render reads it): {best['read'] * 1e3:.2f} ms "
          f"({best['read'] / plain:.2f} of NumPy); with the children run as graph nodes "
          f"{best['eager_read'] * 1e3:.2f} ms ({best['eager_read'] / plain:.2f})")
    goal("transformer block, traced / NumPy", best["traced"] / plain, 1.10)
    goal("transformer block, untraced autograd / NumPy", best["untraced"] / plain, 1.05)

    small_model(20)  # warm up
    runs = [small_model() for _ in range(5)]  # the fastest of five: the least disturbed
    seconds, n_steps = min(r[0] for r in runs), runs[0][1]
    named = min(small_model(labelled=True)[0] for _ in range(5))
    print(f"by-hand 4-3-2-3-4 ReLU autoencoder, 200 forward + backward passes: {n_steps} steps recorded, "
          f"{seconds / n_steps * 1e6:.1f} us per recorded op ({named / n_steps * 1e6:.1f} with every axis named)")
    if torch_small_model(20) is None:
        print("  PyTorch not installed (pip install torch==2.13.0 to compare with its eager autograd)")
    else:
        pair = side_by_side({"traced": lambda: small_model(count=False), "torch": torch_small_model}, repeat=7, clock=CLOCK)
        print(f"  PyTorch eager autograd, same model: {pair['torch'] * 1e3:.1f} ms, traced {pair['traced'] * 1e3:.1f} ms")
        goal("by-hand autoencoder, traced / PyTorch eager", pair["traced"] / pair["torch"], 0.5)
    held, arrays = memory()
    print(f"memory: the traced MLP run holds {held / 2**20:.1f} MiB for {arrays / 2**20:.1f} MiB of arrays "
          f"it made (ratio {held / arrays:.2f}; 1.0 means no copies)")


if __name__ == "__main__":
    main()
