"""Small traces recorded with the engine, shared by the trace-file, CLI and stepper tests."""
from __future__ import annotations

import numpy as np

import tracer


def mlp_trace() -> tracer.Trace:
    """One training step of a 2→3→1 MLP: linear (composite), ReLU, matmul, MSE (composite),
    backward and SGD updates. Numbers picked by hand.

    W1·X = [[1,-1],[2,0],[0,1]]·[[3],[1]] = [[2],[6],[1]]; + b1 [[0],[-1],[-2]] = [[2],[5],[-1]];
    ReLU → [[2],[5],[0]]; W2·H = [[1,-1,2]]·H = [[-3]]; MSE against Y = [[1]]: (−3 − 1)² = 16.
    """
    W1 = tracer.param([[1, -1], [2, 0], [0, 1]], name="W1")
    b1 = tracer.param([[0], [-1], [-2]], name="b1")
    W2 = tracer.param([[1, -1, 2]], name="W2")
    opt = tracer.SGD([W1, b1, W2], lr=0.1)
    with tracer.record(title="mlp", lr=0.1) as trace:
        X = tracer.tensor([[3], [1]], name="X")
        Y = tracer.tensor([[1]], name="Y")
        with tracer.scope("layer1"):
            H = tracer.relu(tracer.linear(W1, X, b1, name="Z"), name="H")
        with tracer.scope("layer2"):
            P = tracer.matmul(W2, H, name="P")
        loss = tracer.mse(P, Y, name="loss")
        loss.backward()
        opt.step()
    return trace


def mixed_trace() -> tracer.Trace:
    """Tensors of every stored kind: float32, a boolean mask, integer indices, a scalar, an empty
    array, a transposed (Fortran-order) view and a strided slice."""
    with tracer.record(title="mixed", tags=["a", "b"], nested={"k": 1.5}) as trace:
        A = tracer.tensor(np.arange(6, dtype=np.float32).reshape(2, 3), name="A")
        M = tracer.where(np.array([[True, False, True], [False, True, False]]), A, 0.0, name="M")
        tracer.gather(tracer.tensor([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]], name="E"), [2, 0], axis=1, name="emb")
        A.T  # noqa: B018 (a Fortran-order view)
        tracer.tensor(np.arange(10.0), name="S")[::3]  # noqa: B018 (a strided view)
        M.sum(name="total")
        tracer.tensor(np.zeros((0, 3)), name="empty").sum(axis=0, name="none")
    trace.steps  # noqa: B018 (fill the formulas now)
    return trace


def chain_trace(n: int) -> tracer.Trace:
    """A long trace: ``n`` rounds of a tiny layer, thousands of steps for ``n`` in the hundreds."""
    W = tracer.param([[0.5, -0.5], [0.25, 1.0]], name="W")
    with tracer.record(title="chain") as trace:
        h = tracer.tensor([[1.0], [2.0]], name="x")
        for k in range(n):
            with tracer.scope(f"round{k}"):
                h = tracer.tanh(tracer.linear(W, h, np.zeros((2, 1)), name="z"), name="h")
        loss = (h * h).sum(name="loss")
        loss.backward()
    return trace
