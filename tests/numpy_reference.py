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


def softplus(z: np.ndarray) -> np.ndarray:
    return np.logaddexp(0.0, z)


def positive_candidate(z: np.ndarray) -> np.ndarray:
    """Feng et al.'s ``g``: ``z + 1/2`` for ``z >= 0``, ``sigmoid(z)`` below."""
    return np.where(z >= 0, z + 0.5, sigmoid(z))


def linear_recurrence(a, b, h0):
    """``h_t = a_t * h_{t-1} + b_t``; ``a`` broadcastable to ``b [time, hidden]``; returns ``(hs, h)``."""
    b = np.asarray(b)
    a = np.broadcast_to(np.asarray(a), b.shape)
    h, hs = np.asarray(h0).astype(np.result_type(a, b, h0)), []
    for a_t, b_t in zip(a, b):
        h = a_t * h + b_t
        hs.append(h)
    return np.stack(hs), h


def min_gru(x, Vs, bs, h0, log_space=False):
    """minGRU: ``Vs, bs`` per-gate lists u, candidate; ``h_t = u h_{t-1} + (1 - u) g``."""
    (Vu, Vg), (bu, bg) = Vs, bs
    h, hs = np.asarray(h0, np.float64), []
    for x_t in np.asarray(x, np.float64):
        u = sigmoid(x_t @ Vu + bu)
        g = x_t @ Vg + bg
        if log_space:
            g = positive_candidate(g)
        h = u * h + (1.0 - u) * g
        hs.append(h)
    return np.stack(hs), h


def min_lstm(x, Vs, bs, h0, log_space=False):
    """minLSTM: ``Vs, bs`` per-gate lists i, f, candidate; gates normalised to ``f / (f + i)``, ``i / (f + i)``."""
    (Vi, Vf, Vg), (bi, bf, bg) = Vs, bs
    h, hs = np.asarray(h0, np.float64), []
    for x_t in np.asarray(x, np.float64):
        i = sigmoid(x_t @ Vi + bi)
        f = sigmoid(x_t @ Vf + bf)
        g = x_t @ Vg + bg
        if log_space:
            g = positive_candidate(g)
        h = f / (f + i) * h + i / (f + i) * g
        hs.append(h)
    return np.stack(hs), h


def lru(x, nu_log, theta_log, gamma_log, B, C, D, h0):
    """LRU: ``λ = exp(-exp(ν) + i exp(θ))``, ``h_t = λ h_{t-1} + γ (x_t B)``, ``y_t = Re(h_t C) + x_t D``;
    ``B``, ``C`` complex. Returns ``(ys, h)``."""
    lam = np.exp(-np.exp(nu_log) + 1j * np.exp(theta_log))
    gamma = np.exp(gamma_log)
    h, ys = np.asarray(h0, np.complex128), []
    for x_t in np.asarray(x, np.float64):
        h = lam * h + gamma * (x_t @ B)
        ys.append((h @ C).real + x_t @ D)
    return np.stack(ys), h


def rg_lru(x, Vs, bs, decay_logit, h0, c=8.0):
    """RG-LRU: ``Vs, bs`` per-gate lists value, recurrence gate, input gate;
    ``a_t = sigmoid(Λ) ** (c r_t)``, ``h_t = a_t h_{t-1} + sqrt(1 - a_t²) (i_t v_t)``."""
    (Vv, Vr, Vi), (bv, br, bi) = Vs, bs
    a = sigmoid(np.asarray(decay_logit, np.float64))
    h, hs = np.asarray(h0, np.float64), []
    for x_t in np.asarray(x, np.float64):
        r = sigmoid(x_t @ Vr + br)
        i = sigmoid(x_t @ Vi + bi)
        a_t = a ** (c * r)
        h = a_t * h + np.sqrt(1.0 - a_t**2) * (i * (x_t @ Vv + bv))
        hs.append(h)
    return np.stack(hs), h
