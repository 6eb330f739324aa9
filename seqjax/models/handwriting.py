"""Handwriting prediction (Graves 2013, section 4): stacked recurrent layers with skip
connections from the input to every layer and from every layer to a mixture density output."""

from __future__ import annotations

import functools
import math
from typing import Any, NamedTuple

import flax.linen as linen
import jax
import jax.numpy as jnp

from seqjax.models import mixture_density
from seqjax.nn import CellName, recurrent_layer, zero_carries


class HandwritingModel(linen.Module):
    """Call: ``(points [batch, time, 3], lengths [batch] | None, carries (one per layer) | None)``
    returns ``(mixture, carries)``: a ``mixture_density.Mixture`` ``[batch, time]`` for the
    point after each input point. Layer ``l > 1`` reads the input points and layer ``l - 1``'s
    outputs; the output layer reads every layer's outputs.

    Attributes:
      hidden_size, num_layers: each layer's width, and how many.
      num_components: Gaussians in the mixture.
      cell: ``"lstm"`` (or ``"gru"``, ``"rnn"``).
    """

    hidden_size: int = 256
    num_layers: int = 3
    num_components: int = 20
    cell: CellName = "lstm"

    def zero_carries(self, batch: int) -> tuple[Any, ...]:
        return zero_carries(self.cell, self.hidden_size, batch, self.num_layers)

    @linen.compact
    def __call__(
        self, points: jax.Array, lengths: jax.Array | None = None, carries: tuple[Any, ...] | None = None
    ) -> tuple[mixture_density.Mixture, tuple[Any, ...]]:
        carries = carries or (None,) * self.num_layers
        outputs, finals = [], []
        for index in range(self.num_layers):
            layer_inputs = points if index == 0 else jnp.concatenate([points, outputs[-1]], axis=-1)
            layer = recurrent_layer(self.cell, self.hidden_size, name=f"layer_{index}")
            out, final = layer(layer_inputs, lengths, carries[index])
            outputs.append(out)
            finals.append(final)
        head = mixture_density.MixtureDensityHead(self.num_components, name="head")
        return head(jnp.concatenate(outputs, axis=-1)), tuple(finals)


@functools.partial(jax.jit, static_argnames=("model", "length"))
def sample_strokes(
    model: HandwritingModel, params: Any, prime: jax.Array, key: jax.Array, *, length: int, bias: float = 0.0
) -> jax.Array:
    """``length`` points ``[length, 3]`` drawn one at a time after the points ``prime [P, 3]`` (P >= 1;
    a single ``(0, 0, 1)`` starts from nothing); ``bias`` as in ``mixture_density.sample``."""
    mixture, carries = model.apply(params, prime[None], None, model.zero_carries(1))
    last = jax.tree.map(lambda x: x[:, -1], mixture)

    def step(state: tuple[mixture_density.Mixture, Any], key: jax.Array):
        mixture, carries = state
        point = mixture_density.sample(mixture, key, bias)  # [1, 3]
        mixture, carries = model.apply(params, point[:, None], None, carries)
        return (jax.tree.map(lambda x: x[:, 0], mixture), carries), point[0]

    _, points = jax.lax.scan(step, (last, carries), jax.random.split(key, length))
    return points


class WindowState(NamedTuple):
    """The soft window's state between steps: ``kappa [batch, K]`` (where each window component
    is along the text) and ``window [batch, alphabet]`` (the last window vector)."""

    kappa: jax.Array
    window: jax.Array


def soft_window(
    params: tuple[jax.Array, jax.Array], hidden: jax.Array, kappa: jax.Array, text: jax.Array, text_lengths: jax.Array
) -> tuple[jax.Array, jax.Array, jax.Array]:
    """Graves (2013) eqs. 46-51 for one step: ``(window [batch, alphabet], kappa [batch, K], phi
    [batch, U + 1])``. ``(alpha, beta, kappa increment) = exp(hidden W + b)``; ``phi(u) = Σ_k alpha_k
    exp(-beta_k (kappa_k - u)^2)`` over the character positions ``u`` (0 at padding), plus
    ``phi(U)``, one past each text's last character (the stopping rule reads it); the window is
    ``Σ_u phi(u) text[u]`` for ``text [batch, U, alphabet]`` one-hot."""
    kernel, bias = params
    alpha, beta, increment = jnp.split(jnp.exp(hidden @ kernel + bias), 3, axis=-1)
    kappa = kappa + increment
    positions = jnp.arange(text.shape[1] + 1, dtype=hidden.dtype)
    phi = jnp.sum(alpha[:, :, None] * jnp.exp(-beta[:, :, None] * (kappa[:, :, None] - positions) ** 2), axis=1)
    real = positions[None, :-1] < text_lengths[:, None]
    phi_after = jnp.take_along_axis(phi, text_lengths[:, None], axis=1)[:, 0]
    phi = jnp.concatenate([jnp.where(real, phi[:, :-1], 0.0), phi_after[:, None]], axis=1)
    return jnp.einsum("bu,bua->ba", phi[:, :-1], text), kappa, phi


class ConditionalHandwritingModel(linen.Module):
    """Handwriting synthesis (Graves 2013, section 5): the first recurrent layer reads the pen
    point and the previous window over the text's characters and moves the window; the other
    layers read the point, the layer below and the window; the mixture density output reads
    every layer. The first layer runs step by step with the window (a ``lax.scan`` of the core
    cell); the others run as ordinary recurrent layers over the whole sequence.

    Call: ``(points [batch, time, 3], text [batch, U] int (0 padding), text_lengths [batch],
    lengths [batch] | None, state | None)`` returns ``(mixture [batch, time], state, phi [batch,
    time, U + 1])``; ``state`` is ``(first layer carry, WindowState, other layers' carries)``.

    Attributes:
      alphabet_size: character ids (0 padding).
      hidden_size, num_layers, num_components: as ``HandwritingModel``.
      window_components: Gaussians of the soft window.
    """

    alphabet_size: int
    hidden_size: int = 256
    num_layers: int = 3
    num_components: int = 20
    window_components: int = 10
    cell: CellName = "lstm"

    def _window_bias_init(self, key: jax.Array, shape: tuple[int, ...]) -> jax.Array:
        """0 for the weights' and widths' logs; ``log(1/25)`` for kappa's increment, so the window
        starts moving about one character per 25 points (a character's length at ``STEP``)."""
        del key
        return jnp.zeros(shape).at[2 * self.window_components :].set(-math.log(25.0))

    def initial_state(self, batch: int) -> tuple[Any, WindowState, tuple[Any, ...]]:
        first, *others = zero_carries(self.cell, self.hidden_size, batch, self.num_layers)
        window = WindowState(jnp.zeros((batch, self.window_components)), jnp.zeros((batch, self.alphabet_size)))
        return first, window, tuple(others)

    @linen.compact
    def __call__(self, points: jax.Array, text: jax.Array, text_lengths: jax.Array,
                 lengths: jax.Array | None = None, state: tuple | None = None):
        cell = recurrent_layer(self.cell, self.hidden_size, parent=None).make_cell()
        first_params = self.param("layer_0", lambda key: cell.init(key, 3 + self.alphabet_size, self.hidden_size))
        window_params = (
            self.param("window_kernel", linen.initializers.lecun_normal(),
                       (self.hidden_size, 3 * self.window_components)),
            self.param("window_bias", self._window_bias_init, (3 * self.window_components,)),
        )
        first_carry, window_state, others = state or self.initial_state(points.shape[0])
        one_hot = jax.nn.one_hot(text, self.alphabet_size) * (text > 0)[..., None]

        def step(carry, point):
            layer_carry, window_state = carry
            projected = cell.project_inputs(first_params, jnp.concatenate([point, window_state.window], axis=-1))
            layer_carry, hidden = cell.step(first_params, layer_carry, projected)
            window, kappa, phi = soft_window(window_params, hidden, window_state.kappa, one_hot, text_lengths)
            return (layer_carry, WindowState(kappa, window)), (hidden, window, phi)

        (first_carry, window_state), (hidden, windows, phi) = jax.lax.scan(
            step, (first_carry, window_state), jnp.swapaxes(points, 0, 1)
        )
        hidden, windows, phi = (jnp.swapaxes(x, 0, 1) for x in (hidden, windows, phi))
        outputs, finals = [hidden], []
        for index, carry in enumerate(others, start=1):
            layer = recurrent_layer(self.cell, self.hidden_size, name=f"layer_{index}")
            out, final = layer(jnp.concatenate([points, outputs[-1], windows], axis=-1), lengths, carry)
            outputs.append(out)
            finals.append(final)
        head = mixture_density.MixtureDensityHead(self.num_components, name="head")
        return head(jnp.concatenate(outputs, axis=-1)), (first_carry, window_state, tuple(finals)), phi


@functools.partial(jax.jit, static_argnames=("model", "max_points"))
def write_text(
    model: ConditionalHandwritingModel, params: Any, text: jax.Array, key: jax.Array, *, max_points: int,
    prime: jax.Array | None = None, prime_text: jax.Array | None = None, bias: float = 0.0,
) -> tuple[jax.Array, jax.Array, jax.Array]:
    """Writes ``text [U]`` (character ids): ``(points [max_points, 3], phi [max_points, U + 1],
    count)``, ``count`` the points written before the stopping rule (Graves): the window's weight one
    past the last character exceeds its weight on every character. Points and ``phi`` after it are 0.

    Primed (``prime [P, 3]`` written for ``prime_text [V]``): the model first reads the prime with
    the window over ``prime_text``, then goes on with the carries and the style it ended in, the
    window restarting on ``text``."""
    length = jnp.array([text.shape[0]])
    state = model.initial_state(1)
    start = jnp.array([[[0.0, 0.0, 1.0]]])
    if prime is not None:
        _, (first, window, others), _ = model.apply(params, prime[None], prime_text[None],
                                                    jnp.array([prime_text.shape[0]]), None, state)
        state = (first, model.initial_state(1)[1], others)
    mixture, state, _ = model.apply(params, start, text[None], length, None, state)

    def step(carry, key):
        mixture, state, stopped = carry
        point = mixture_density.sample(jax.tree.map(lambda x: x[:, -1], mixture), key, bias)  # [1, 3]
        mixture, state, phi = model.apply(params, point[:, None], text[None], length, None, state)
        stopped = stopped | (phi[0, 0, -1] > jnp.max(phi[0, 0, :-1]))
        keep = jnp.where(stopped, 0.0, 1.0)
        return (mixture, state, stopped), (point[0] * keep, phi[0, 0] * keep, 1.0 - keep)

    _, (points, phi, after_stop) = jax.lax.scan(step, (mixture, state, jnp.array(False)), jax.random.split(key, max_points))
    return points, phi, jnp.sum(after_stop == 0.0)
