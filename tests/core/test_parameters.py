"""The course's two parameter counts, each built by an independent library (Flax) and by seqjax."""

from __future__ import annotations

import flax.linen as nn
import jax
import jax.numpy as jnp

from seqjax import core


def test_first_mlp_layer_over_a_window_of_100_embedded_words_has_1_000_100_parameters():
    window, embedding, hidden = 100, 100, 100
    params = nn.Dense(hidden).init(jax.random.key(0), jnp.zeros((1, window * embedding)))
    assert core.count_parameters(params) == 1_000_100


def test_rnn_layer_with_100_inputs_and_100_units_has_20_100_parameters():
    ours = core.SimpleRNNCell().init(jax.random.key(0), 100, 100)
    assert core.count_parameters(ours) == 20_100
    flax_cell = nn.SimpleCell(features=100)
    carry = flax_cell.initialize_carry(jax.random.key(0), (1, 100))
    assert core.count_parameters(flax_cell.init(jax.random.key(0), carry, jnp.zeros((1, 100)))) == 20_100


def test_gated_cells_count_their_gates():
    I, H = 30, 20
    assert core.count_parameters(core.LSTMCell().init(jax.random.key(0), I, H)) == 4 * (I * H + H * H + H)
    assert core.count_parameters(core.GRUCell().init(jax.random.key(0), I, H)) == 3 * (I * H + H * H + H)
    reset_after = core.GRUCell(reset_after=True).init(jax.random.key(0), I, H)
    assert core.count_parameters(reset_after) == 3 * (I * H + H * H + H) + H
