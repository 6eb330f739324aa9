"""Float64 numpy implementations of the cell equations, written from the formulas alone.

They share no code with ``seqjax``: each takes the weights as separate per-gate numpy
arrays and loops over time explicitly. Shapes: ``x [time, input]`` (one sequence).
"""

from __future__ import annotations

import numpy as np


def sigmoid(z: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-z))


def log_softmax(z: np.ndarray) -> np.ndarray:
    """Over the last axis."""
    shifted = z - z.max(-1, keepdims=True)
    return shifted - np.log(np.exp(shifted).sum(-1, keepdims=True))


def gate_blocks(matrix, num_gates: int) -> list[np.ndarray]:
    """Splits a fused ``[rows, G * H]`` (or ``[G * H]``) array into ``G`` float64 blocks."""
    return np.split(np.asarray(matrix, np.float64), num_gates, axis=-1)


def simple_rnn(x, V, W, b, h0, activation=np.tanh):
    """``h_t = f(V x_t + W h_{t-1} + b)`` with row-vector convention ``x_t V + h W + b``."""
    h, hs = np.asarray(h0, np.float64), []
    for x_t in np.asarray(x, np.float64):
        h = activation(x_t @ V + h @ W + b)
        hs.append(h)
    return np.stack(hs), h


def lstm(x, Vs, Ws, bs, h0, c0):
    """``Vs, Ws, bs``: per-gate lists in the order i, f, g, o."""
    (Vi, Vf, Vg, Vo), (Wi, Wf, Wg, Wo), (bi, bf, bg, bo) = Vs, Ws, bs
    h, c, hs = np.asarray(h0, np.float64), np.asarray(c0, np.float64), []
    for x_t in np.asarray(x, np.float64):
        i = sigmoid(x_t @ Vi + h @ Wi + bi)
        f = sigmoid(x_t @ Vf + h @ Wf + bf)
        g = np.tanh(x_t @ Vg + h @ Wg + bg)
        o = sigmoid(x_t @ Vo + h @ Wo + bo)
        c = f * c + i * g
        h = o * np.tanh(c)
        hs.append(h)
    return np.stack(hs), (h, c)


def gru(x, Vs, Ws, bs, h0, candidate_recurrent_bias=None):
    """``Vs, Ws, bs``: per-gate lists in the order r, u, g.

    Reset-before (Cho et al.) when ``candidate_recurrent_bias`` is None, else reset-after.
    """
    (Vr, Vu, Vg), (Wr, Wu, Wg), (br, bu, bg) = Vs, Ws, bs
    h, hs = np.asarray(h0, np.float64), []
    for x_t in np.asarray(x, np.float64):
        r = sigmoid(x_t @ Vr + h @ Wr + br)
        u = sigmoid(x_t @ Vu + h @ Wu + bu)
        if candidate_recurrent_bias is None:
            g = np.tanh(x_t @ Vg + (r * h) @ Wg + bg)
        else:
            g = np.tanh(x_t @ Vg + bg + r * (h @ Wg + candidate_recurrent_bias))
        h = (1.0 - u) * g + u * h
        hs.append(h)
    return np.stack(hs), h
