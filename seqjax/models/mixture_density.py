"""A mixture density output for pen offsets (Graves 2013, eqs. 18-26): a mixture of ``K``
bivariate Gaussians for ``(dx, dy)`` and a Bernoulli for the end of a stroke.

Everything is in log space: the weights' log-softmax, the Gaussians' log-densities and a
``logsumexp`` over components, with correlations kept inside ``±MAX_CORRELATION`` and log
scales inside ``[MIN_LOG_SCALE, MAX_LOG_SCALE]``, so the likelihood is finite in float32.
"""

from __future__ import annotations

import math
from typing import NamedTuple

import flax.linen as linen
import jax
import jax.numpy as jnp

from seqjax.nn.dense import Dense

MAX_CORRELATION = 0.995
MIN_LOG_SCALE, MAX_LOG_SCALE = -6.0, 6.0


class Mixture(NamedTuple):
    """A mixture density at every position ``[...]``.

    Fields:
      end_logit: ``[...]``, the end-of-stroke probability's logit.
      weight_logits: ``[..., K]``, the components' weights before the softmax.
      means: ``[..., K, 2]``; log_scales: ``[..., K, 2]`` (``log σx, log σy``); correlations: ``[..., K]``.
    """

    end_logit: jax.Array
    weight_logits: jax.Array
    means: jax.Array
    log_scales: jax.Array
    correlations: jax.Array


class MixtureDensityHead(linen.Module):
    """``features [..., F] -> Mixture`` through one dense layer of ``1 + 6 K`` outputs."""

    num_components: int = 20

    @linen.compact
    def __call__(self, features: jax.Array) -> Mixture:
        k = self.num_components
        out = Dense(1 + 6 * k, name="output")(features)
        shape = out.shape[:-1]
        return Mixture(
            end_logit=out[..., 0],
            weight_logits=out[..., 1 : 1 + k],
            means=out[..., 1 + k : 1 + 3 * k].reshape(*shape, k, 2),
            log_scales=jnp.clip(out[..., 1 + 3 * k : 1 + 5 * k].reshape(*shape, k, 2), MIN_LOG_SCALE, MAX_LOG_SCALE),
            correlations=MAX_CORRELATION * jnp.tanh(out[..., 1 + 5 * k :]),
        )


def log_likelihood(mixture: Mixture, points: jax.Array) -> jax.Array:
    """``log p(points)`` ``[...]`` of ``points [..., 3]`` = ``(dx, dy, end_of_stroke)``."""
    offsets = points[..., None, :2]  # [..., 1, 2]
    z = (offsets - mixture.means) * jnp.exp(-mixture.log_scales)
    rho = mixture.correlations
    one_minus = 1.0 - rho**2
    quadratic = (z[..., 0] ** 2 + z[..., 1] ** 2 - 2.0 * rho * z[..., 0] * z[..., 1]) / one_minus
    log_gaussians = (-math.log(2.0 * math.pi) - jnp.sum(mixture.log_scales, axis=-1)
                     - 0.5 * jnp.log(one_minus) - 0.5 * quadratic)
    log_offsets = jax.nn.logsumexp(jax.nn.log_softmax(mixture.weight_logits, axis=-1) + log_gaussians, axis=-1)
    end = points[..., 2]
    log_end = end * jax.nn.log_sigmoid(mixture.end_logit) + (1.0 - end) * jax.nn.log_sigmoid(-mixture.end_logit)
    return log_offsets + log_end


def sample(mixture: Mixture, key: jax.Array, bias: float = 0.0) -> jax.Array:
    """Points ``[..., 3]`` drawn from ``mixture``. ``bias`` ``b >= 0`` (Graves eqs. 61-62) sharpens the
    weights (``softmax((1 + b) logits)``) and narrows the Gaussians (``σ e^{-b}``): as ``b`` grows the
    samples approach the most likely component's mean."""
    component_key, normal_key, end_key = jax.random.split(key, 3)
    component = jax.random.categorical(component_key, (1.0 + bias) * mixture.weight_logits, axis=-1)
    pick = lambda x: jnp.take_along_axis(x, component[..., None], axis=-1)[..., 0]  # noqa: E731
    mean_x, mean_y = pick(mixture.means[..., 0]), pick(mixture.means[..., 1])
    scale_x, scale_y = (jnp.exp(pick(mixture.log_scales[..., i]) - bias) for i in (0, 1))
    rho = pick(mixture.correlations)
    n = jax.random.normal(normal_key, (*component.shape, 2))
    dx = mean_x + scale_x * n[..., 0]
    dy = mean_y + scale_y * (rho * n[..., 0] + jnp.sqrt(1.0 - rho**2) * n[..., 1])
    end = jax.random.bernoulli(end_key, jax.nn.sigmoid(mixture.end_logit)).astype(dx.dtype)
    return jnp.stack([dx, dy, end], axis=-1)
