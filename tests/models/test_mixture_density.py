"""The mixture density output: its log-likelihood against a direct float64 numpy evaluation of
the bivariate Gaussians (covariance matrices, no shared code), and its sampler's moments and bias."""

from __future__ import annotations

import jax
import jax.numpy as jnp
import numpy as np

from seqjax.models import mixture_density as md


def _random_mixture(shape, k, seed=0):
    keys = jax.random.split(jax.random.key(seed), 5)
    return md.Mixture(
        end_logit=jax.random.normal(keys[0], shape),
        weight_logits=jax.random.normal(keys[1], (*shape, k)),
        means=jax.random.normal(keys[2], (*shape, k, 2)),
        log_scales=0.5 * jax.random.normal(keys[3], (*shape, k, 2)),
        correlations=0.9 * jnp.tanh(jax.random.normal(keys[4], (*shape, k))),
    )


def _numpy_log_likelihood(mixture, point):
    weights = np.exp(np.asarray(mixture.weight_logits, np.float64))
    weights /= weights.sum()
    density = 0.0
    for w, mean, log_scale, rho in zip(weights, np.asarray(mixture.means, np.float64),
                                       np.asarray(mixture.log_scales, np.float64),
                                       np.asarray(mixture.correlations, np.float64)):
        sx, sy = np.exp(log_scale)
        covariance = np.array([[sx * sx, rho * sx * sy], [rho * sx * sy, sy * sy]])
        d = point[:2] - mean
        density += w * np.exp(-0.5 * d @ np.linalg.solve(covariance, d)) / (2 * np.pi * np.sqrt(np.linalg.det(covariance)))
    end_probability = 1.0 / (1.0 + np.exp(-float(mixture.end_logit)))
    return np.log(density) + np.log(end_probability if point[2] else 1.0 - end_probability)


def test_log_likelihood_matches_a_direct_numpy_evaluation():
    mixture = _random_mixture((4,), 3)
    points = jnp.array([[0.3, -0.2, 0.0], [1.5, 0.7, 1.0], [-2.0, 0.1, 0.0], [0.0, 3.0, 1.0]])
    actual = md.log_likelihood(mixture, points)
    for i in range(4):
        one = jax.tree.map(lambda x: x[i], mixture)
        np.testing.assert_allclose(float(actual[i]), _numpy_log_likelihood(one, np.asarray(points[i], np.float64)),
                                   rtol=1e-5)


def test_extreme_correlations_and_scales_stay_finite_in_float32():
    head = md.MixtureDensityHead(num_components=2)
    features = 1e3 * jnp.ones((1, 4))
    params = head.init(jax.random.key(0), features)
    mixture = head.apply(params, features)
    assert float(jnp.max(jnp.abs(mixture.correlations))) <= md.MAX_CORRELATION + 1e-6
    assert np.isfinite(float(md.log_likelihood(mixture, jnp.array([[50.0, -50.0, 1.0]]))[0]))


def test_samples_have_the_mixture_moments_and_a_large_bias_gives_the_means():
    mixture = jax.tree.map(lambda x: x[0], _random_mixture((1,), 1, seed=3))
    samples = jax.vmap(lambda key: md.sample(mixture, key))(jax.random.split(jax.random.key(1), 20_000))
    sx, sy = np.exp(np.asarray(mixture.log_scales[0], np.float64))
    rho = float(mixture.correlations[0])
    expected_covariance = np.array([[sx * sx, rho * sx * sy], [rho * sx * sy, sy * sy]])
    np.testing.assert_allclose(np.asarray(samples[:, :2]).mean(0), np.asarray(mixture.means[0]), atol=0.05)
    np.testing.assert_allclose(np.cov(np.asarray(samples[:, :2], np.float64).T), expected_covariance, rtol=0.06)  # 4 s.e.
    end = 1.0 / (1.0 + np.exp(-float(mixture.end_logit)))
    assert abs(float(samples[:, 2].mean()) - end) < 0.02

    mixture = jax.tree.map(lambda x: x[0], _random_mixture((1,), 4, seed=4))
    mixture = mixture._replace(weight_logits=jnp.array([0.0, 1.0, -0.5, 0.5]))  # component 1 most likely
    biased = jax.vmap(lambda key: md.sample(mixture, key, bias=30.0))(jax.random.split(jax.random.key(2), 200))
    np.testing.assert_allclose(np.asarray(biased[:, :2]), np.broadcast_to(mixture.means[1], (200, 2)), atol=1e-3)
