"""The NumPy a user writes: array functions, special functions and masks, forward against NumPy and
gradients against central finite differences; and the fixes to older ops, each at the input where
it used to fail (a dot product of two vectors, a batched bias, batched attention, a zero row ...).
"""
from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import tracer
from tests.helpers import check_op
from tests.test_ops import _softmax, away, distinct

_erf = np.vectorize(math.erf)


def _gelu_tanh(x: np.ndarray) -> np.ndarray:
    return 0.5 * x * (1 + np.tanh(np.sqrt(2 / np.pi) * (x + 0.044715 * x ** 3)))


def _attention(q: np.ndarray, k: np.ndarray, v: np.ndarray, keep: np.ndarray | None = None) -> np.ndarray:
    s = q @ np.swapaxes(k, -1, -2) / np.sqrt(q.shape[-1])
    return _softmax(s if keep is None else np.where(keep, s, -np.inf), -1) @ v


KEEP = np.array([[True, True, False], [True, True, True]])  # (T_q=2, T_k=3): query 0 skips key 2
EACH = [1, 0, 2]
# "op" or "op:variant": (function of tensors, NumPy forward, inputs from (rng, m, n, k))
CASES = {
    "minimum": (lambda a, b: tracer.minimum(a, b), np.minimum, lambda r, m, n, k: tuple(np.split(distinct(r, (2 * m, n)), 2))),
    "minimum:numpy": (lambda a, b: np.minimum(a, b[0]), lambda a, b: np.minimum(a, b[0]), lambda r, m, n, k: tuple(np.split(distinct(r, (2 * m, n)), 2))),
    "min": (lambda a: a.min(axis=0), lambda a: a.min(axis=0), lambda r, m, n, k: (distinct(r, (m, n)),)),
    "erf": (tracer.erf, _erf, lambda r, m, n, k: (r.normal(size=(m, n)) * 2,)),
    "erf:tails": (tracer.erf, _erf, lambda r, m, n, k: (r.uniform(2.5, 6.5, size=(m, n)) * r.choice([-1, 1], size=(m, n)),)),
    "gelu_tanh": (lambda x: tracer.gelu(x, approximate="tanh"), _gelu_tanh, lambda r, m, n, k: (r.normal(size=(m, n)),)),
    "log1p": (np.log1p, np.log1p, lambda r, m, n, k: (r.uniform(-0.5, 3, size=(m, n)),)),
    "softplus": (tracer.softplus, lambda x: np.log1p(np.exp(x)), lambda r, m, n, k: (r.normal(size=(m, n)) * 3,)),
    "softplus:beta": (lambda x: tracer.softplus(x, beta=2.0), lambda x: np.log1p(np.exp(2 * x)) / 2, lambda r, m, n, k: (r.normal(size=(m, n)),)),
    "sign": (np.sign, np.sign, lambda r, m, n, k: (away(r.normal(size=(m, n))),)),
    "stack": (lambda a, b: tracer.stack([a, b], axis=1), lambda a, b: np.stack([a, b], 1), lambda r, m, n, k: (r.normal(size=(m, n)), r.normal(size=(m, n)))),
    "stack:numpy": (lambda a, b: np.stack([a, b], axis=-1), lambda a, b: np.stack([a, b], -1), lambda r, m, n, k: (r.normal(size=(m, n)), r.normal(size=(m, n)))),
    "expand_dims": (lambda a: np.expand_dims(a, 1), lambda a: np.expand_dims(a, 1), lambda r, m, n, k: (r.normal(size=(m, n)),)),
    "squeeze": (lambda a: a.squeeze(axis=1), lambda a: a.squeeze(axis=1), lambda r, m, n, k: (r.normal(size=(m, 1, n)),)),
    "broadcast_to": (lambda a: np.broadcast_to(a, (2, 3, a.shape[1])), lambda a: np.broadcast_to(a, (2, 3, a.shape[1])), lambda r, m, n, k: (r.normal(size=(1, n)),)),
    "tile": (lambda a: np.tile(a, (2, 1, 2)), lambda a: np.tile(a, (2, 1, 2)), lambda r, m, n, k: (r.normal(size=(m, n)),)),
    "repeat": (lambda a: np.repeat(a, 2, axis=1), lambda a: np.repeat(a, 2, axis=1), lambda r, m, n, k: (r.normal(size=(m, n)),)),
    "repeat:each": (lambda a: np.repeat(a, EACH, axis=0), lambda a: np.repeat(a, EACH, axis=0), lambda r, m, n, k: (r.normal(size=(3, n)),)),
    "repeat:flat": (lambda a: np.repeat(a, 3), lambda a: np.repeat(a, 3), lambda r, m, n, k: (r.normal(size=(m, n)),)),
    "pad": (lambda a: np.pad(a, ((1, 0), (2, 1)), constant_values=0.5), lambda a: np.pad(a, ((1, 0), (2, 1)), constant_values=0.5), lambda r, m, n, k: (r.normal(size=(m, n)),)),
    "astype": (lambda a: a.astype(np.float64) * 2, lambda a: a * 2, lambda r, m, n, k: (r.normal(size=(m, n)),)),
    "cumsum": (lambda a: a.cumsum(axis=1), lambda a: a.cumsum(axis=1), lambda r, m, n, k: (r.normal(size=(m, n)),)),
    "cumsum:flat": (np.cumsum, np.cumsum, lambda r, m, n, k: (r.normal(size=(m, n)),)),
    "var": (lambda a: np.var(a, axis=0, ddof=1), lambda a: np.var(a, axis=0, ddof=1), lambda r, m, n, k: (r.normal(size=(m + 1, n)),)),
    "std": (lambda a: a.std(axis=1, keepdims=True), lambda a: a.std(axis=1, keepdims=True), lambda r, m, n, k: (r.normal(size=(m, n + 1)) + r.normal(size=(m, 1)),)),
    "einsum": (lambda a, b: np.einsum("ij,jk->ik", a, b), lambda a, b: a @ b, lambda r, m, n, k: (r.normal(size=(m, k)), r.normal(size=(k, n)))),
    "einsum:batched": (lambda a, b: np.einsum("...ij,...jk->...ik", a, b), lambda a, b: a @ b, lambda r, m, n, k: (r.normal(size=(1, m, k)), r.normal(size=(2, k, n)))),
    "einsum:implicit": (lambda a, b: np.einsum("ij,ij", a, b), lambda a, b: (a * b).sum(), lambda r, m, n, k: (r.normal(size=(m, n)), r.normal(size=(m, n)))),
    "einsum:summed_alone": (lambda a, b: tracer.einsum("ij,k->ki", a, b), lambda a, b: np.outer(b, a.sum(1)), lambda r, m, n, k: (r.normal(size=(m, n)), r.normal(size=(k,)))),
    "dense": (lambda x, W, b: tracer.dense(x, W, b), lambda x, W, b: x @ W + b, lambda r, m, n, k: (r.normal(size=(m, k)), r.normal(size=(k, n)), r.normal(size=(n,)))),
    "dense:batched": (lambda x, W: tracer.dense(x, W), lambda x, W: x @ W, lambda r, m, n, k: (r.normal(size=(2, m, k)), r.normal(size=(k, n)))),
    "outer": (np.outer, np.outer, lambda r, m, n, k: (r.normal(size=(m,)), r.normal(size=(n,)))),
    # fixes to older ops
    "matmul:dot": (lambda a, b: a @ b, np.matmul, lambda r, m, n, k: (r.normal(size=(k,)), r.normal(size=(k,)))),
    "linear:batched": (lambda W, X, b: tracer.linear(W, X, b), lambda W, X, b: W @ X + b[:, None], lambda r, m, n, k: (r.normal(size=(m, k)), r.normal(size=(2, k, n)), r.normal(size=(m,)))),
    "attention:batched": (lambda q, k_, v: tracer.attention(q, k_, v, KEEP), lambda q, k_, v: _attention(q, k_, v, KEEP), lambda r, m, n, k: (r.normal(size=(m, 2, 2, k)), r.normal(size=(m, 2, 3, k)), r.normal(size=(m, 2, 3, n)))),
    "attention:weights": (lambda q, k_: tracer.attention(q, k_, np.ones((k_.shape[0], 2)), return_weights=True)[1], lambda q, k_: _softmax(q @ k_.T / np.sqrt(q.shape[1]), -1), lambda r, m, n, k: (r.normal(size=(m, k)), r.normal(size=(n, k)))),
    "gather:ids2d": (lambda E: tracer.gather(E, [[2, 0], [0, 1]], axis=1), lambda E: E[:, [[2, 0], [0, 1]]], lambda r, m, n, k: (r.normal(size=(m, 3, n)),)),
    "l2_norm:numpy": (lambda x: np.linalg.norm(x, axis=1), lambda x: np.linalg.norm(x, axis=1), lambda r, m, n, k: (r.normal(size=(m, n)) + 0.5,)),
}


@pytest.mark.parametrize("case", sorted(CASES))
@settings(max_examples=5, deadline=None)
@given(m=st.integers(1, 3), n=st.integers(1, 3), k=st.integers(1, 3), seed=st.integers(0, 2**16))
def test_forward_and_gradient(case: str, m: int, n: int, k: int, seed: int) -> None:
    f, forward, inputs = CASES[case]
    arrays = inputs(np.random.default_rng(seed), m, n, k)
    check_op(f, *arrays, forward=forward, seed=seed)


MASKS = {"less": np.less, "less_equal": np.less_equal, "greater": np.greater,
         "greater_equal": np.greater_equal, "equal": np.equal, "not_equal": np.not_equal}


@pytest.mark.parametrize("op", sorted(MASKS))
def test_comparisons_make_masks_that_no_gradient_flows_through(op: str) -> None:
    a, b = np.array([[1.0, 2.0, 3.0]]), np.array([[2.0], [3.0]])
    x = tracer.param(a, name="x")
    with tracer.record() as trace:
        m = getattr(tracer, op)(x, b)
        y = (tracer.where(m, x, 0.0, name="kept") * 2).sum()
        y.backward()
    np.testing.assert_array_equal(m.numpy(), MASKS[op](a, b))
    assert m.dtype == bool and not m.requires_grad
    assert trace.step("kept").inputs[0] == trace.step(op).outputs[0]  # the mask step feeds where
    np.testing.assert_array_equal(x.grad, 2 * MASKS[op](a, b).sum(0, keepdims=True))
    assert not any(s.grad_of == trace.step(op).id for s in trace.steps)  # no backward step for it


def test_operators_compare_and_t_equals_0_is_a_mask_not_false() -> None:
    t = tracer.tensor([-1.0, 0.0, 2.0], name="t")
    assert (t == 0).tolist() == [False, True, False] and (t != 0).tolist() == [True, False, True]
    assert (t > 0).tolist() == [False, False, True] and (t <= 0).tolist() == [True, True, False]
    assert (0 < t).tolist() == [False, False, True] and (np.zeros(3) == t).tolist() == [False, True, False]
    with pytest.raises(ValueError, match="ambiguous"):  # as NumPy: no silent False
        bool(t == 0)
    assert bool(tracer.tensor(0.0) == 0) and {t: 1}[t] == 1  # a tensor is still a dictionary key
    assert ((t > 0).astype(np.float64) * t).tolist() == [0.0, 0.0, 2.0]


def test_gelu_is_exact_by_default_and_tanh_on_request() -> None:
    x = np.linspace(-4, 4, 17)
    exact = 0.5 * x * (1 + _erf(x / np.sqrt(2)))
    np.testing.assert_allclose(tracer.gelu(tracer.tensor(x)).numpy(), exact, rtol=1e-14, atol=1e-15)
    np.testing.assert_allclose(tracer.gelu(tracer.tensor(x), approximate="tanh").numpy(), _gelu_tanh(x), rtol=1e-14)
    assert np.abs(_gelu_tanh(x) - exact).max() > 1e-4  # the two forms differ: the choice matters
    with pytest.raises(tracer.UnsupportedError, match="approximate='sigmoid'"):
        tracer.gelu(tracer.tensor(x), approximate="sigmoid")


def test_erf_keeps_float32_and_its_precision() -> None:
    x = np.linspace(-7, 7, 2001)
    out = tracer.erf(tracer.tensor(x, dtype=np.float32)).numpy()
    assert out.dtype == np.float32
    np.testing.assert_allclose(out, _erf(x.astype(np.float32).astype(np.float64)), atol=3e-7)
    np.testing.assert_allclose(tracer.erf(tracer.tensor(x)).numpy(), _erf(x), rtol=1e-14, atol=3e-15)
    assert np.isnan(tracer.erf(tracer.tensor([np.nan])).numpy()[0])


def test_every_new_function_reached_through_numpy_records_a_step() -> None:
    x = tracer.tensor(np.arange(6.0).reshape(2, 3), name="x")
    with tracer.record() as trace:
        calls = [np.min(x, axis=0), np.var(x), np.std(x, axis=1), np.stack([x, x]), np.expand_dims(x, 0),
                 np.squeeze(np.expand_dims(x, 0)), np.swapaxes(x, 0, 1), np.moveaxis(x, 0, -1),
                 np.einsum("ij->j", x), np.linalg.norm(x), np.broadcast_to(x, (2, 2, 3)), np.tile(x, 2),
                 np.repeat(x, 2), np.pad(x, 1), np.cumsum(x), np.outer(x[0], x[1]), np.log1p(x),
                 np.sign(x), np.minimum(x, 1), x.mT, x.min()]
    for got, want in zip(calls[:3], [x.numpy().min(0), x.numpy().var(), x.numpy().std(1)]):
        np.testing.assert_allclose(got.numpy(), want)
    assert len([s for s in trace.steps if s.depth == 0]) == len(calls) + 3  # and expand_dims, x[0], x[1]
    with pytest.raises(tracer.UnsupportedError, match="np.pad mode 'edge'"):
        np.pad(x, 1, mode="edge")
    with pytest.raises(tracer.UnsupportedError, match="ord=1"):
        np.linalg.norm(x, ord=1)


def test_matmul_of_two_vectors_differentiates() -> None:  # was: AxisError from np.expand_dims
    a, b = tracer.param([1.0, 2.0, 3.0], name="a"), tracer.param([4.0, 5.0, 6.0], name="b")
    (a @ b).backward()
    assert a.grad.tolist() == [4.0, 5.0, 6.0] and b.grad.tolist() == [1.0, 2.0, 3.0]


def test_linear_adds_the_bias_per_row_of_every_sample_in_a_batch() -> None:
    # was: [[11, 22], [13, 24]], the bias added along the columns
    out = tracer.linear(tracer.tensor(np.eye(2)), tracer.tensor([[[1, 2], [3, 4]]]), tracer.tensor([10, 20]))
    assert out.numpy().tolist() == [[[11.0, 12.0], [23.0, 24.0]]]


def test_w_at_x_plus_a_1d_bias_per_row_is_refused_instead_of_added_along_columns() -> None:
    W, X = tracer.param(np.eye(3), name="W"), tracer.tensor(np.ones((3, 3)), name="X")
    with pytest.raises(tracer.ShapeError, match=r"b\[:, None\] or tracer.linear"):
        W @ X + np.array([1.0, 2.0, 3.0])
    with pytest.raises(tracer.ShapeError, match="one entry per row"):
        tracer.tensor([1.0, 2.0, 3.0]) + W @ X
    assert (W @ X + np.array([[1.0], [2.0], [3.0]])).numpy()[:, 0].tolist() == [2.0, 3.0, 4.0]
    assert (X @ W + np.array([1.0, 2.0, 3.0])).numpy()[0].tolist() == [2.0, 3.0, 4.0]  # rows: fine


def test_attention_with_a_mask_over_batch_and_heads_returns_its_weights() -> None:
    rng = np.random.default_rng(0)
    q, k, v = rng.normal(size=(2, 3, 4, 5)), rng.normal(size=(2, 3, 4, 5)), rng.normal(size=(2, 3, 4, 5))
    keep = np.tril(np.ones((4, 4), dtype=bool))
    with tracer.record() as trace:
        out, w = tracer.attention(*(tracer.tensor(a) for a in (q, k, v)), keep, return_weights=True, name="attn")
    np.testing.assert_allclose(out.numpy(), _attention(q, k, v, keep), rtol=1e-12)
    assert w.shape == (2, 3, 4, 4) and np.all(w.numpy()[..., 0, 1:] == 0)
    assert trace.step("attn").outputs == [trace.step("attn.mix").outputs[0], trace.step("attn.weights").outputs[0]]


def test_l2_norm_of_a_zero_row_and_x_to_the_0_at_0_have_gradient_0() -> None:  # were NaN
    x = tracer.param([[0.0, 0.0], [3.0, 4.0]], name="x")
    tracer.l2_norm(x, axis=1).sum().backward()
    np.testing.assert_allclose(x.grad, [[0.0, 0.0], [0.6, 0.8]])
    y = tracer.param([0.0, 2.0], name="y")
    (y ** 0).sum().backward()
    assert y.grad.tolist() == [0.0, 0.0]
    z = tracer.param([0.0], name="z")
    with np.errstate(divide="ignore"):
        tracer.sqrt(z).sum().backward()
    assert z.grad.tolist() == [np.inf]  # a bare square root keeps its infinite slope at 0


def test_gather_takes_ids_of_any_shape_and_integer_id_tensors_stay_linked() -> None:
    E = tracer.param(np.arange(8.0).reshape(4, 2), name="E")
    with tracer.record() as trace:
        ids = tracer.tensor([[0, 3, 3]], name="input_ids", dtype=np.int64)
        out = tracer.gather(E, ids, name="embed")
        out.sum().backward()
    assert out.shape == (1, 3, 2) and out.numpy()[0, 1].tolist() == [6.0, 7.0]
    assert E.grad.tolist() == [[1, 1], [0, 0], [0, 0], [2, 2]]
    assert trace.tensors[trace.step("embed").inputs[1]].name == "input_ids"


def test_token_names_travel_through_the_new_array_functions() -> None:
    tokens = ("the", "queen", "sat")
    x = tracer.tensor(np.ones((3, 2)), name="x", rows=tokens)
    assert tracer.stack([x, x]).labels == (None, tokens, None)
    assert np.expand_dims(x, 0).labels == (None, tokens, None) and x.astype(np.float32).labels == (tokens, None)
    assert np.einsum("tc,sc->ts", x, x).labels == (tokens, tokens) and np.cumsum(x, axis=0).labels == (tokens, None)
    assert np.broadcast_to(x, (4, 3, 2)).labels == (None, tokens, None) and np.pad(x, 1).labels is None
    ids = tracer.tensor([[2, 0], [1, 1]], name="ids", dtype=np.int64, labels=[["s0", "s1"], ["a", "b"]])
    assert tracer.gather(tracer.tensor(np.ones((3, 4))), ids).labels == (("s0", "s1"), ("a", "b"), None)
    vocab = tracer.tensor(np.ones((3, 4)), rows=["king", "queen", "cat"])
    assert tracer.gather(vocab, [2, 0]).labels == (("cat", "king"), None)  # 1-D ids: the table's names


def test_a_tensor_iterates_over_its_first_axis_as_an_array_does() -> None:
    """``for row in x`` and ``a, b = x`` stop at the end (an index past it is an IndexError, as
    in NumPy), and every row is a recorded step the gradient flows back through."""
    x = tracer.param([[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]], name="x")
    rows = [row for row in x]
    assert [r.numpy().tolist() for r in rows] == [[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]]
    first, _, last = x
    (first * last).sum().backward()
    np.testing.assert_array_equal(x.grad, [[5.0, 6.0], [0.0, 0.0], [1.0, 2.0]])
    for index in (3, -4, (0, 2), (slice(None), 5)):
        with pytest.raises(IndexError, match=r"x\[.*\]: index -?\d is outside axis \d of length [23]"):
            x[index]
    with pytest.raises(tracer.ShapeError):  # still one of the tracer's errors: the CLI reports it in a line
        x[3]


def test_a_new_axis_reads_np_newaxis_in_a_slice_formula() -> None:
    """``X[:, 0, None]`` read ``X[:, 0, None]``: a reader takes a bare None for a missing value."""
    with tracer.record() as trace:
        X = tracer.tensor(np.arange(6.0).reshape(2, 3), name="X")
        tracer.ops.getitem(X, (slice(None), 0, None), name="x")
    assert trace.step("x").formula == "x = X[:, 0, np.newaxis]"
    assert "None" not in trace.step("x").narration
