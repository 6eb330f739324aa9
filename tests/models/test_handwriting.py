"""Handwriting models: the soft window against numpy, carried state equal to one long call, the stopping rule."""

from __future__ import annotations

import jax
import jax.numpy as jnp
import numpy as np

from seqjax.models.handwriting import ConditionalHandwritingModel, HandwritingModel, soft_window, write_text
from tests.helpers import randomised, relative_error


def test_soft_window_matches_graves_equations_in_numpy():
    keys = jax.random.split(jax.random.key(0), 4)
    params = (0.5 * jax.random.normal(keys[0], (5, 6)), 0.1 * jax.random.normal(keys[1], (6,)))
    hidden, kappa = jax.random.normal(keys[2], (2, 5)), jnp.array([[0.5, 1.0], [2.0, 0.2]])
    text = jax.nn.one_hot(jnp.array([[1, 2, 3, 1], [2, 2, 0, 0]]), 4) * jnp.array([[1, 1, 1, 1], [1, 1, 0, 0]])[..., None]
    lengths = jnp.array([4, 2])
    window, new_kappa, phi = soft_window(params, hidden, kappa, text, lengths)
    kernel, bias = (np.asarray(x, np.float64) for x in params)
    for b in range(2):
        alpha, beta, increment = np.split(np.exp(np.asarray(hidden[b], np.float64) @ kernel + bias), 3)
        k = np.asarray(kappa[b], np.float64) + increment
        expected_phi = [np.sum(alpha * np.exp(-beta * (k - u) ** 2)) for u in range(int(lengths[b]) + 1)]
        assert relative_error(new_kappa[b], k) < 1e-6
        assert relative_error(phi[b, : int(lengths[b])], expected_phi[:-1]) < 1e-5
        assert abs(float(phi[b, -1]) - expected_phi[-1]) < 1e-5 * max(1.0, expected_phi[-1])
        expected_window = np.asarray(expected_phi[:-1]) @ np.asarray(text[b, : int(lengths[b])], np.float64)
        assert relative_error(window[b], expected_window) < 1e-5


def test_carrying_the_state_across_calls_equals_one_call():
    points = jax.random.normal(jax.random.key(1), (2, 9, 3))
    text, text_lengths = jnp.array([[1, 2, 3], [3, 1, 0]]), jnp.array([3, 2])
    model = ConditionalHandwritingModel(alphabet_size=4, hidden_size=8, num_layers=2, num_components=3,
                                        window_components=2)
    params = randomised(jax.eval_shape(model.init, jax.random.key(2), points, text, text_lengths))
    whole, _, phi = model.apply(params, points, text, text_lengths)
    first, state, _ = model.apply(params, points[:, :4], text, text_lengths)
    second, _, _ = model.apply(params, points[:, 4:], text, text_lengths, None, state)
    joined = jax.tree.map(lambda a, b: jnp.concatenate([a, b], axis=1), first, second)
    assert all(relative_error(a, b) < 1e-5 for a, b in zip(jax.tree.leaves(joined), jax.tree.leaves(whole)))
    assert phi.shape == (2, 9, 4)
    plain = HandwritingModel(hidden_size=8, num_layers=2, num_components=3)
    plain_params = randomised(jax.eval_shape(plain.init, jax.random.key(3), points))
    whole, _ = plain.apply(plain_params, points)
    first, carries = plain.apply(plain_params, points[:, :4])
    second, _ = plain.apply(plain_params, points[:, 4:], None, carries)
    assert relative_error(jnp.concatenate([first.means, second.means], axis=1), whole.means) < 1e-5


def test_writing_stops_once_the_window_passes_the_last_character():
    model = ConditionalHandwritingModel(alphabet_size=4, hidden_size=8, num_layers=2, num_components=3,
                                        window_components=2)
    params = model.init(jax.random.key(4), jnp.zeros((1, 2, 3)), jnp.array([[1, 2]]), jnp.array([2]))
    fast = jax.tree_util.tree_map_with_path(  # the window jumps a character per point
        lambda path, x: jnp.zeros_like(x) if "window_bias" in str(path) else x, params)
    points, phi, count = write_text(model, fast, jnp.array([1, 2, 3]), jax.random.key(5), max_points=40)
    assert 0 < int(count) < 10
    assert np.all(np.asarray(points[int(count) :]) == 0.0) and np.all(np.asarray(phi[int(count) :]) == 0.0)
    slow_points, _, slow_count = write_text(model, params, jnp.array([1, 2, 3]), jax.random.key(5), max_points=40)
    assert int(slow_count) > int(count)  # the default window moves a character per 25 points
