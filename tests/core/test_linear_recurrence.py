"""``core.linear_recurrence`` against a float64 numpy loop, across its three scans, and its
custom backward pass against autodiff and central finite differences."""

from __future__ import annotations

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from seqjax import core
from tests import numpy_reference as ref

BATCH, TIME, HIDDEN = 3, 23, 4
SCANS = core.LINEAR_SCANS
LENGTHS = np.array([TIME, 9, 0])


def problem(seed: int, complex_valued: bool, dtype=np.float64):
    """``a [batch, time, hidden]`` with ``|a| < 1``, ``b`` and ``h0``, real or complex."""
    rng = np.random.default_rng(seed)
    a = rng.uniform(0.3, 1.0, (BATCH, TIME, HIDDEN))
    b = rng.standard_normal((BATCH, TIME, HIDDEN))
    h0 = rng.standard_normal((BATCH, HIDDEN))
    if complex_valued:
        a = a * np.exp(1j * rng.uniform(-np.pi, np.pi, a.shape))
        b = b + 1j * rng.standard_normal(b.shape)
        h0 = h0 + 1j * rng.standard_normal(h0.shape)
    cast = np.result_type(dtype, np.complex64) if complex_valued else dtype
    return a.astype(cast), b.astype(cast), h0.astype(cast)


def numpy_run(a, b, h0, lengths, reverse):
    """Each sequence alone through the numpy loop, its real steps only."""
    outputs, finals = np.zeros_like(b), np.zeros_like(h0)
    for i, length in enumerate(lengths):
        steps = slice(length - 1, None, -1) if reverse else slice(0, length)
        order = np.arange(length)[::-1] if reverse else np.arange(length)
        if length:
            hs, finals[i] = ref.linear_recurrence(a[i][steps], b[i][steps], h0[i])
            outputs[i, order] = hs
        else:
            finals[i] = h0[i]
    return outputs, finals


@pytest.mark.parametrize("complex_valued", [False, True], ids=["real", "complex"])
@pytest.mark.parametrize("reverse", [False, True], ids=["forward", "reverse"])
def test_every_scan_equals_the_numpy_loop_in_float64(complex_valued, reverse):
    a, b, h0 = problem(0, complex_valued)
    want_outputs, want_final = numpy_run(a, b, h0, LENGTHS, reverse)
    with jax.enable_x64(True):
        for scan in SCANS:
            outputs, final = core.linear_recurrence(
                a, b, initial=h0, lengths=LENGTHS, reverse=reverse, scan=scan, chunk_size=5
            )
            np.testing.assert_allclose(outputs, want_outputs, rtol=0, atol=1e-10, err_msg=scan)
            np.testing.assert_allclose(final, want_final, rtol=0, atol=1e-10, err_msg=scan)


@pytest.mark.parametrize("complex_valued", [False, True], ids=["real", "complex"])
def test_the_scans_agree_in_float32(complex_valued):
    a, b, h0 = problem(1, complex_valued, np.float32)
    results = [core.linear_recurrence(a, b, initial=h0, scan=scan, chunk_size=4) for scan in SCANS]
    for scan, (outputs, final) in zip(SCANS[1:], results[1:]):
        scale = np.abs(results[0][0]).max()
        assert np.abs(outputs - results[0][0]).max() / scale < 1e-5, scan
        assert np.abs(final - results[0][1]).max() / scale < 1e-5, scan


def test_a_decay_that_is_the_same_at_every_step_broadcasts():
    a, b, h0 = problem(2, True)
    decay = a[0, 0]  # [hidden], as the LRU's eigenvalues
    want, _ = numpy_run(np.broadcast_to(decay, b.shape), b, h0, [TIME] * BATCH, False)
    with jax.enable_x64(True):
        outputs, _ = core.linear_recurrence(decay, b, initial=h0)
    np.testing.assert_allclose(outputs, want, atol=1e-10)


@pytest.mark.parametrize("complex_valued", [False, True], ids=["real", "complex"])
@pytest.mark.parametrize("reverse", [False, True], ids=["forward", "reverse"])
def test_custom_backward_of_every_scan_equals_autodiff_of_the_sequential_scan(complex_valued, reverse):
    a, b, h0 = problem(3, complex_valued)
    weights = np.random.default_rng(4).standard_normal(b.shape)

    def loss(a, b, h0, scan, backward):
        outputs, final = core.linear_recurrence(
            a, b, initial=h0, lengths=LENGTHS, reverse=reverse, scan=scan, chunk_size=5, backward=backward
        )
        return jnp.sum(jnp.abs(outputs) ** 2 * weights) + jnp.sum(jnp.abs(final) ** 2)

    with jax.enable_x64(True):
        want = jax.grad(loss, argnums=(0, 1, 2))(a, b, h0, "sequential", "autodiff")
        for scan in SCANS:
            got = jax.grad(loss, argnums=(0, 1, 2))(a, b, h0, scan, "custom")
            for g, w in zip(got, want):
                np.testing.assert_allclose(g, w, rtol=0, atol=1e-10, err_msg=scan)


def test_gradient_equals_central_finite_differences():
    a, b, h0 = problem(5, False)
    a, b, h0 = a[:, :6], b[:, :6], h0
    lengths = np.array([6, 4, 1])

    def loss(flat):
        a_, b_, h_ = flat[: a.size].reshape(a.shape), flat[a.size : a.size + b.size].reshape(b.shape), flat[-h0.size :]
        outputs, final = core.linear_recurrence(a_, b_, initial=h_.reshape(h0.shape), lengths=lengths, scan="associative")
        return jnp.sum(jnp.sin(outputs)) + jnp.sum(final**2)

    with jax.enable_x64(True):
        flat = jnp.concatenate([a.ravel(), b.ravel(), h0.ravel()])
        grad = np.asarray(jax.grad(loss)(flat))
        eps, eye = 1e-6, np.eye(flat.size)
        numeric = np.asarray(jax.jit(jax.vmap(lambda e: (loss(flat + eps * e) - loss(flat - eps * e)) / (2 * eps)))(eye))
    np.testing.assert_allclose(grad, numeric, rtol=1e-6, atol=1e-8)


def test_padding_changes_nothing_and_receives_no_gradient():
    a, b, h0 = problem(6, False)
    lengths = np.array([TIME, 7, 12])

    def run(a, b):
        return core.linear_recurrence(a, b, initial=h0, lengths=lengths, reverse=True)

    with jax.enable_x64(True):
        outputs, final = run(a, b)
        noisy = np.where((np.arange(TIME)[None, :] >= lengths[:, None])[..., None], 1e3, 0.0)
        outputs_noisy, final_noisy = run(a + noisy, b - noisy)
        np.testing.assert_array_equal(outputs, outputs_noisy)
        np.testing.assert_array_equal(final, final_noisy)
        d_a, d_b = jax.grad(lambda a, b: jnp.sum(run(a, b)[0] ** 2) + jnp.sum(run(a, b)[1]), argnums=(0, 1))(a, b)
        padded = noisy != 0
        assert not np.any(np.asarray(d_a)[padded.repeat(HIDDEN, -1)]) and not np.any(np.asarray(d_b)[padded.repeat(HIDDEN, -1)])
        for i, length in enumerate(lengths):  # each sequence alone
            alone, alone_final = core.linear_recurrence(a[i : i + 1, :length], b[i : i + 1, :length],
                                                        initial=h0[i : i + 1], reverse=True)
            np.testing.assert_allclose(outputs[i, :length], alone[0], atol=1e-12)
            np.testing.assert_allclose(final[i], alone_final[0], atol=1e-12)


@pytest.mark.parametrize("scan", SCANS)
def test_a_state_carried_across_chunks_equals_one_long_run(scan):
    a, b, h0 = problem(7, True, np.float32)
    whole, whole_final = core.linear_recurrence(a, b, initial=h0, scan=scan, chunk_size=4)
    first, carried = core.linear_recurrence(a[:, :10], b[:, :10], initial=h0, scan=scan, chunk_size=4)
    second, final = core.linear_recurrence(a[:, 10:], b[:, 10:], initial=carried, scan=scan, chunk_size=4)
    np.testing.assert_allclose(np.concatenate([first, second], 1), whole, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(final, whole_final, rtol=1e-5, atol=1e-6)


def test_the_custom_backward_stores_less_than_autodiff_of_the_associative_scan():
    a, b, h0 = problem(8, False, np.float32)
    a, b = np.tile(a, (1, 16, 1)), np.tile(b, (1, 16, 1))  # 368 steps

    def residual_bytes(backward):
        _, vjp = jax.vjp(lambda a, b: core.linear_recurrence(a, b, initial=h0, backward=backward)[0], a, b)
        return sum(leaf.nbytes for leaf in jax.tree.leaves(vjp))

    assert residual_bytes("custom") < 0.5 * residual_bytes("autodiff")


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        ({"b": np.zeros((2, 3))}, r"b: expected rank 3, \[batch, time, hidden\], received rank 2"),
        ({"b": np.zeros((2, 3, 4), np.int32)}, r"b: expected a floating-point or complex dtype, received dtype int32"),
        ({"a": np.zeros((2, 4))}, r"a: expected a shape broadcastable to b's \(2, 3, 4\), received shape \(2, 4\)"),
        ({"a": np.zeros((2, 1, 3, 4))}, r"a: expected a shape broadcastable to b's \(2, 3, 4\), received shape \(2, 1, 3, 4\)"),
        ({"initial": np.zeros((2, 5))}, r"initial: expected shape \(2, 4\), received shape \(2, 5\)"),
        ({"lengths": np.array([1, 4])}, r"lengths: expected values in \[0, 3\].*received \[1, 4\]"),
        ({"lengths": np.array([1, 2, 3])}, r"lengths: expected shape \(2,\).*received shape \(3,\)"),
        ({"scan": "parallel"}, r"scan: expected one of \('sequential', 'associative', 'chunked'\), received 'parallel'"),
        ({"backward": "manual"}, r"backward: expected 'custom' or 'autodiff', received 'manual'"),
        ({"chunk_size": 0}, r"chunk_size: expected a positive int, received 0"),
    ],
)
def test_bad_input_is_refused_with_a_clear_error(arguments, message):
    call = {"a": np.full((2, 3, 4), 0.5), "b": np.zeros((2, 3, 4)), **arguments}
    a, b = call.pop("a"), call.pop("b")
    with pytest.raises(ValueError, match=message):
        core.linear_recurrence(a, b, **call)
