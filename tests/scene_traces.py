"""Small traces built with the engine for the scene tests and benchmarks (numbers by hand).

- :func:`autoencoder`: the by-hand 4→3→2→3→4 ReLU autoencoder of seed 003 (four samples as
  columns, small integer weights), sum-of-squares loss against a copy of the input, backward, and
  one gradient-descent step.
- :func:`attention`: self-attention of three tokens in row layout (X @ Wq, X @ Wk, X @ Wv, then
  ``tracer.attention``).
- :func:`mlp`: a two-layer MLP with mean squared error and full backprop (no update).
- :func:`sparse_autoencoder`: five 3-D activations → six ReLU features → reconstruction, with an
  L1 sparsity penalty on the features.
- :func:`matmul8`: one 8×8 by 8×8 product (the benchmark's cell-by-cell matmul).
"""
from __future__ import annotations

import numpy as np

import tracer


def autoencoder(update: bool = True) -> tracer.Trace:
    X = [[1, 0, 1, 0],
         [0, 1, 1, 1],
         [1, 1, 0, 0],
         [0, 0, 1, 1]]                                   # (4 features, 4 samples)
    W1 = tracer.param([[1, 0, 1, 0], [0, 1, 0, 1], [1, -1, 0, 1]], name="W1")
    b1 = tracer.param([0, -1, 0], name="b1")
    W2 = tracer.param([[1, 1, 0], [0, -1, 1]], name="W2")
    b2 = tracer.param([0, 1], name="b2")
    W3 = tracer.param([[1, 0], [0, 1], [1, -1]], name="W3")
    b3 = tracer.param([0, 0, 1], name="b3")
    W4 = tracer.param([[1, 0, 0], [0, 1, 0], [0, 0, 1], [1, 0, -1]], name="W4")
    b4 = tracer.param([0, 0, -1, 0], name="b4")
    opt = tracer.SGD([W1, b1, W2, b2, W3, b3, W4, b4], lr=0.1)
    with tracer.record(title="Autoencoder, by hand") as trace:
        x = tracer.tensor(X, name="X")
        with tracer.scope("encoder"):
            h1 = tracer.relu(tracer.linear(W1, x, b1, name="Z1"), name="H1")    # (3, 4)
            h2 = tracer.relu(tracer.linear(W2, h1, b2, name="Z2"), name="H2")   # (2, 4)
        with tracer.scope("decoder"):
            h3 = tracer.relu(tracer.linear(W3, h2, b3, name="Z3"), name="H3")   # (3, 4)
            y = tracer.relu(tracer.linear(W4, h3, b4, name="Z4"), name="Y")     # (4, 4)
        loss = tracer.sse(y, tracer.tensor(X, name="Y′"), name="L")
        loss.backward()
        if update:
            opt.step()
    return trace


def attention() -> tracer.Trace:
    X = tracer.tensor([[1, 0, 1, 0], [0, 2, 0, 1], [1, 1, 1, 1]], name="X")    # (T=3, d=4)
    Wq = tracer.param([[1, 0], [0, 1], [1, 0], [0, 1]], name="Wq")            # (4, 2)
    Wk = tracer.param([[0, 1], [1, 0], [1, 1], [0, 0]], name="Wk")
    Wv = tracer.param([[1, 0], [0, 1], [0, 0], [1, 1]], name="Wv")
    with tracer.record() as trace:
        Q = tracer.matmul(X, Wq, name="Q")
        K = tracer.matmul(X, Wk, name="K")
        V = tracer.matmul(X, Wv, name="V")
        tracer.attention(Q, K, V, name="Z")
    return trace


def mlp() -> tracer.Trace:
    W1 = tracer.param([[1, -1], [2, 0], [0, 1]], name="W1")
    b1 = tracer.param([0, 1, -1], name="b1")
    W2 = tracer.param([[1, 1, -1]], name="W2")
    b2 = tracer.param([1], name="b2")
    with tracer.record() as trace:
        X = tracer.tensor([[1, 2, 0], [2, 1, 1]], name="X")                      # (2 features, 3 samples)
        H = tracer.relu(tracer.linear(W1, X, b1, name="Z1"), name="H")           # (3, 3)
        Y = tracer.linear(W2, H, b2, name="Y")                                   # (1, 3)
        loss = tracer.mse(Y, tracer.tensor([[2, 5, 0]], name="T"), name="L")
        loss.backward()
    return trace


def sparse_autoencoder() -> tracer.Trace:
    X = tracer.tensor([[1, 0, 2, 1, 0], [0, 1, 1, 0, 2], [1, 1, 0, 2, 1]], name="X")   # (3, 5 tokens)
    We = tracer.param([[1, 0, 0], [0, 1, -1], [1, 1, 0], [-1, 0, 1], [0, 0, 1], [1, -1, 1]], name="W_enc")
    be = tracer.param([0, 0, -1, 0, -1, 0], name="b_enc")
    Wd = tracer.param([[1, 0, 1, 0, 0, 1], [0, 1, 0, 0, 1, 0], [0, 0, 1, 1, 0, 0]], name="W_dec")
    bd = tracer.param([0, 0, 0], name="b_dec")
    with tracer.record(title="Sparse autoencoder") as trace:
        f = tracer.relu(tracer.linear(We, X, be, name="Z"), name="f")           # (6, 5)
        Xr = tracer.linear(Wd, f, bd, name="X′")                               # (3, 5)
        tracer.l2_norm(Wd, axis=0, name="norms")                               # decoder column norms
        rec = tracer.sse(Xr, X, name="reconstruction")
        sparsity = tracer.l1(f, name="sparsity")
        loss = tracer.add(rec, sparsity, name="L")
        loss.backward()
    return trace


def matmul8() -> tracer.Trace:
    rng = np.random.default_rng(8)
    A = tracer.tensor(rng.integers(-4, 5, (8, 8)), name="A")
    B = tracer.tensor(rng.integers(-4, 5, (8, 8)), name="B")
    with tracer.record() as trace:
        tracer.matmul(A, B, name="C")
    return trace
