"""minGRU, minLSTM, LRU and RG-LRU through ``core.run`` against float64 numpy loops of their
equations, their gradients against finite differences, their parameter counts and initialisation."""

from __future__ import annotations

import jax
import jax.flatten_util
import jax.numpy as jnp
import numpy as np
import pytest

from seqjax import core
from tests import numpy_reference as ref
from tests.helpers import random_params, relative_error

BATCH, TIME, INPUT, HIDDEN = 2, 13, 3, 5
CELLS = [core.MinGRUCell(), core.MinGRUCell(log_space=True), core.MinLSTMCell(), core.MinLSTMCell(log_space=True),
         core.LRUCell(), core.RGLRUCell()]
CELL_IDS = ["mingru", "mingru-log", "minlstm", "minlstm-log", "lru", "rglru"]


def numpy_cell(cell, params, x, h0):
    """``(outputs [time, out], final state)`` of one sequence by the numpy reference of ``cell``."""
    p = jax.tree.map(lambda leaf: np.asarray(leaf, np.float64), params)
    if isinstance(cell, core.LRUCell):
        return ref.lru(x, p.nu_log, p.theta_log, p.gamma_log, p.input_real + 1j * p.input_imag,
                       p.output_real + 1j * p.output_imag, p.skip, h0)
    blocks = ref.gate_blocks(p.input_kernel, cell.num_gates), ref.gate_blocks(p.bias, cell.num_gates)
    if isinstance(cell, core.RGLRUCell):
        return ref.rg_lru(x, *blocks, p.decay_logit, h0, c=cell.c)
    function = ref.min_gru if isinstance(cell, core.MinGRUCell) else ref.min_lstm
    return function(x, *blocks, h0, log_space=cell.log_space)


def setup(cell, dtype=jnp.float32, seed=0):
    params = random_params(cell, INPUT, HIDDEN, seed=seed, dtype=dtype)
    x = np.random.default_rng(seed + 10).standard_normal((BATCH, TIME, INPUT)).astype(dtype)
    h0 = 0.5 * np.asarray(cell.zero_carry(HIDDEN, (BATCH,), dtype) + 1.0)
    return params, x, h0


@pytest.mark.parametrize("cell", CELLS, ids=CELL_IDS)
def test_every_scan_equals_the_float64_numpy_loop(cell):
    params, x, h0 = setup(cell)
    lengths = np.array([TIME, 8])
    for scan in core.LINEAR_SCANS:
        outputs, final = core.run(cell, params, x, initial_carry=h0, lengths=lengths,
                                  options=core.RunOptions(scan=scan, chunk_size=4))
        for i, length in enumerate(lengths):
            want, want_final = numpy_cell(cell, params, x[i, :length], h0[i])
            assert relative_error(outputs[i, :length], want) < 1e-5, scan
            assert relative_error(final[i], want_final) < 1e-5, scan
            assert not np.any(np.asarray(outputs[i, length:]))


@pytest.mark.parametrize("cell", CELLS, ids=CELL_IDS)
def test_the_step_equals_the_whole_sequence_run(cell):
    """The one-step path (sampling, diagnostics) computes the same recurrence."""
    params, x, h0 = setup(cell)
    whole, whole_final = core.run(cell, params, x, initial_carry=h0)
    carry, outputs = h0, []
    for t in range(TIME):
        carry, output = cell.step(params, carry, cell.project_inputs(params, x[:, t]))
        outputs.append(output)
    assert relative_error(np.stack(outputs, 1), whole) < 1e-5
    assert relative_error(carry, whole_final) < 1e-5


@pytest.mark.parametrize("cell", CELLS, ids=CELL_IDS)
def test_custom_gradient_equals_autodiff_and_central_finite_differences_in_float64(cell):
    with jax.enable_x64(True):
        params, x, h0 = setup(cell, jnp.float64, seed=1)
        x, lengths = x[:, :5], np.array([5, 3])
        weights = np.random.default_rng(2).standard_normal((BATCH, 5, HIDDEN))
        flat, unravel = jax.flatten_util.ravel_pytree(params)

        def loss(flat, backward="custom", scan="associative"):
            outputs, final = core.run(cell, unravel(flat), x, initial_carry=h0, lengths=lengths,
                                      options=core.RunOptions(scan=scan, backward=backward))
            return jnp.sum(outputs * weights) + jnp.sum(jnp.abs(final) ** 2)

        grad = np.asarray(jax.grad(loss)(flat))
        np.testing.assert_allclose(jax.grad(loss)(flat, "autodiff", "sequential"), grad, rtol=1e-10, atol=1e-12)
        eps, eye = 1e-6, np.eye(flat.size)
        central = jax.jit(jax.vmap(lambda e: (loss(flat + eps * e) - loss(flat - eps * e)) / (2 * eps)))
        numeric = np.asarray(central(eye))
    np.testing.assert_allclose(grad, numeric, rtol=1e-6, atol=1e-7)


@pytest.mark.parametrize(
    ("cell", "count"),
    [
        (core.MinGRUCell(), 2 * HIDDEN * (INPUT + 1)),
        (core.MinLSTMCell(), 3 * HIDDEN * (INPUT + 1)),
        (core.LRUCell(), 3 * HIDDEN + 3 * INPUT * HIDDEN + 2 * HIDDEN**2),
        (core.RGLRUCell(), 3 * HIDDEN * (INPUT + 1) + HIDDEN),
    ],
    ids=["mingru", "minlstm", "lru", "rglru"],
)
def test_parameter_counts_match_the_documented_formulas(cell, count):
    params = cell.init(jax.random.key(0), INPUT, HIDDEN)
    assert core.count_parameters(params) == count
    assert cell.sizes(params) == (INPUT, HIDDEN)


def test_lru_eigenvalues_start_on_the_ring_and_gamma_normalises():
    cell, r_min, r_max, max_phase = core.LRUCell(), 0.5, 0.8, 0.3
    params = cell.init(jax.random.key(0), INPUT, 2000, r_min=r_min, r_max=r_max, max_phase=max_phase)
    lam = np.asarray(cell.eigenvalues(params))
    assert np.all((np.abs(lam) >= r_min - 1e-6) & (np.abs(lam) <= r_max + 1e-6))
    assert np.all((np.angle(lam) >= 0) & (np.angle(lam) <= max_phase + 1e-6))
    # uniform by area on the ring: |λ|² is uniform in [r_min², r_max²]
    assert np.mean(np.abs(lam) ** 2) == pytest.approx((r_min**2 + r_max**2) / 2, abs=0.01)
    np.testing.assert_allclose(np.exp(params.gamma_log), np.sqrt(1 - np.abs(lam) ** 2), rtol=1e-5)
    with pytest.raises(ValueError, match=r"r_min, r_max: expected 0 <= r_min < r_max <= 1, received r_min=0.9, r_max=0.5"):
        cell.init(jax.random.key(0), INPUT, HIDDEN, r_min=0.9, r_max=0.5)


def test_rg_lru_decay_starts_uniform_between_0_9_and_0_999_and_gate_biases_are_as_documented():
    cell = core.RGLRUCell()
    params = cell.init(jax.random.key(0), INPUT, 4000)
    decay_c = ref.sigmoid(np.asarray(params.decay_logit, np.float64)) ** cell.c
    assert decay_c.min() >= 0.9 - 1e-5 and decay_c.max() <= 0.999 + 1e-5
    assert np.mean(decay_c) == pytest.approx(0.9495, abs=0.003)
    gru = core.MinGRUCell().init(jax.random.key(0), INPUT, HIDDEN, update_bias=2.0)
    np.testing.assert_array_equal(gru.bias, np.r_[np.full(HIDDEN, 2.0), np.zeros(HIDDEN)])
    lstm = core.MinLSTMCell().init(jax.random.key(0), INPUT, HIDDEN)
    np.testing.assert_array_equal(lstm.bias, np.r_[np.zeros(HIDDEN), np.ones(HIDDEN), np.zeros(HIDDEN)])


def test_long_sequences_stay_finite_and_exact_in_float32():
    """T = 4,096 steps of a nearly-closed gate: the associative scan multiplies, never divides."""
    cell = core.MinGRUCell(log_space=True)
    params = cell.init(jax.random.key(0), INPUT, HIDDEN, update_bias=6.0)
    x = np.random.default_rng(0).standard_normal((1, 4096, INPUT)).astype(np.float32)
    outputs, _ = core.run(cell, params, x)
    want, _ = numpy_cell(cell, params, x[0], np.zeros(HIDDEN))
    assert np.all(np.isfinite(outputs)) and relative_error(outputs[0], want) < 1e-5


def test_options_that_do_not_apply_to_a_linear_recurrence_are_refused():
    cell = core.MinGRUCell()
    params, x, _ = setup(cell)
    with pytest.raises(ValueError, match=r"clip_carry_gradient: expected None for a linear-recurrence cell"):
        core.run(cell, params, x, options=core.RunOptions(clip_carry_gradient=1.0))
    with pytest.raises(ValueError, match=r"scan: expected one of \('auto', 'sequential', 'associative', 'chunked'\), received 'fast'"):
        core.RunOptions(scan="fast")
    with pytest.raises(ValueError, match=r"inputs: expected 3 features in the last axis.*received shape \(2, 13, 4\)"):
        core.run(cell, params, np.zeros((BATCH, TIME, 4), np.float32))
