"""The new ops and the fixed ones against PyTorch in float64: forward values and every gradient.

Runs where torch is installed (``pip install torch``; it is no dependency of the project).
"""
from __future__ import annotations

import numpy as np
import pytest

import tracer

torch = pytest.importorskip("torch")
F = torch.nn.functional
RNG = np.random.default_rng(11)


def normal(*shape: int) -> np.ndarray:
    return RNG.normal(size=shape)


def distinct(*shape: int) -> np.ndarray:
    return RNG.permutation(np.arange(int(np.prod(shape)))).reshape(shape) * 0.37 - 1.5


KEEP = np.array([[1, 1, 1, 0], [1, 1, 1, 1]], dtype=bool)[:, None, None, :]  # (2, 1, 1, 4): sentence 1 padded
# name: (tracer function, torch function, inputs)
CASES = {
    "erf": (tracer.erf, torch.erf, [normal(3, 4) * 2.5]),
    "gelu": (tracer.gelu, F.gelu, [normal(3, 4) * 2]),
    "gelu_tanh": (lambda x: tracer.gelu(x, approximate="tanh"), lambda x: F.gelu(x, approximate="tanh"), [normal(3, 4) * 2]),
    "log1p": (tracer.log1p, torch.log1p, [RNG.uniform(-0.5, 3, (3, 4))]),
    "softplus": (lambda x: tracer.softplus(x, beta=2.0), lambda x: F.softplus(x, beta=2.0), [normal(3, 4) * 3]),
    "sign": (lambda x: tracer.sign(x) * x, lambda x: torch.sign(x) * x, [normal(3, 4)]),
    "minimum": (tracer.minimum, torch.minimum, [distinct(3, 4), distinct(3, 4)[::-1].copy()]),
    "min": (lambda x: x.min(axis=1), lambda x: x.min(dim=1).values, [distinct(3, 4)]),
    "var": (lambda x: x.var(axis=0, ddof=1), lambda x: x.var(dim=0, unbiased=True), [normal(4, 3)]),
    "std": (lambda x: x.std(axis=1), lambda x: x.std(dim=1, unbiased=False), [normal(3, 5)]),
    "cumsum": (lambda x: x.cumsum(axis=1), lambda x: x.cumsum(dim=1), [normal(3, 4)]),
    "stack": (lambda a, b: tracer.stack([a, b], axis=1), lambda a, b: torch.stack([a, b], dim=1), [normal(2, 3), normal(2, 3)]),
    "expand_dims": (lambda x: tracer.expand_dims(x, axis=1) * 2, lambda x: x.unsqueeze(1) * 2, [normal(2, 3)]),
    "squeeze": (lambda x: x.squeeze(axis=1), lambda x: x.squeeze(1), [normal(2, 1, 3)]),
    "broadcast_to": (lambda x: tracer.broadcast_to(x, shape=(2, 3, 4)), lambda x: x.expand(2, 3, 4), [normal(3, 1)]),
    "tile": (lambda x: tracer.tile(x, reps=[2, 3]), lambda x: x.tile((2, 3)), [normal(2, 3)]),
    "repeat": (lambda x: tracer.repeat(x, repeats=[1, 0, 2], axis=0), lambda x: x.repeat_interleave(torch.tensor([1, 0, 2]), dim=0), [normal(3, 2)]),
    "pad": (lambda x: tracer.pad(x, ((1, 0), (2, 1)), constant_values=0.5), lambda x: F.pad(x, (2, 1, 1, 0), value=0.5), [normal(2, 3)]),
    "swapaxes": (lambda x: tracer.swapaxes(x, 0, 2), lambda x: x.transpose(0, 2), [normal(2, 3, 4)]),
    "einsum": (lambda a, b: tracer.einsum("bhtd,bhsd->bhts", a, b), lambda a, b: torch.einsum("bhtd,bhsd->bhts", a, b), [normal(2, 3, 4, 5), normal(2, 3, 6, 5)]),
    "outer": (tracer.outer, torch.outer, [normal(3), normal(4)]),
    "norm": (lambda x: tracer.norm(x, axis=1), lambda x: torch.linalg.norm(x, dim=1), [normal(3, 4)]),
    "dense": (tracer.dense, lambda x, W, b: x @ W + b, [normal(2, 3, 4), normal(4, 5), normal(5)]),
    # the fixed ones
    "matmul:dot": (lambda a, b: a @ b, lambda a, b: a @ b, [normal(4), normal(4)]),
    "linear:batched": (tracer.linear, lambda W, X, b: W @ X + b[:, None], [normal(3, 4), normal(2, 4, 5), normal(3)]),
    "attention:batched": (lambda q, k, v: tracer.attention(q, k, v, KEEP),
                          lambda q, k, v: F.scaled_dot_product_attention(q, k, v, attn_mask=torch.from_numpy(KEEP)),
                          [normal(2, 3, 4, 5), normal(2, 3, 4, 5), normal(2, 3, 4, 6)]),
    "l2_norm:zero_row": (lambda x: tracer.l2_norm(x, axis=1), lambda x: torch.linalg.norm(x, dim=1), [np.vstack([np.zeros(4), normal(4)])]),
    "pow:zero": (lambda x: x ** 0 + x ** 2, lambda x: x ** 0 + x ** 2, [np.array([0.0, 1.5, -2.0])]),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_forward_and_gradients_match_pytorch_in_float64(name: str) -> None:
    ours, theirs, arrays = CASES[name]
    xs = [tracer.tensor(a, requires_grad=True) for a in arrays]
    ts = [torch.tensor(a, dtype=torch.float64, requires_grad=True) for a in arrays]
    out, ref = ours(*xs), theirs(*ts)
    np.testing.assert_allclose(out.numpy(), ref.detach().numpy(), rtol=1e-12, atol=1e-13)
    w = RNG.normal(size=out.shape)
    (out * w).sum().backward()
    (ref * torch.from_numpy(w)).sum().backward()
    for x, t in zip(xs, ts):
        np.testing.assert_allclose(x.grad, t.grad.numpy(), rtol=1e-11, atol=1e-12, err_msg=name)
