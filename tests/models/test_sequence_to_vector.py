"""The sequence-to-vector head reads each sequence's last real step."""

from __future__ import annotations

import jax
import jax.numpy as jnp
import numpy as np

from seqjax import models, nn

BATCH, TIME, INPUT, HIDDEN, OUTPUTS = 3, 9, 4, 6, 5


def test_head_reads_the_encoder_output_at_each_sequences_last_step():
    model = models.SequenceToVector(encoder=nn.GRU(HIDDEN), output_size=OUTPUTS)
    x = jax.random.normal(jax.random.key(0), (BATCH, TIME, INPUT))
    lengths = jnp.array([TIME, 4, 1])
    variables = model.init(jax.random.key(1), x, lengths)
    logits = model.apply(variables, x, lengths)
    assert logits.shape == (BATCH, OUTPUTS)
    outputs, _ = nn.GRU(HIDDEN).apply({"params": variables["params"]["encoder"]}, x, lengths)
    head = variables["params"]["head"]
    for row, length in enumerate(np.asarray(lengths)):
        expected = np.asarray(outputs[row, length - 1]) @ np.asarray(head["kernel"]) + np.asarray(head["bias"])
        np.testing.assert_allclose(logits[row], expected, rtol=1e-5, atol=1e-6)
    # Without lengths, the last step of every row; steps after a row's end do not change its output.
    np.testing.assert_allclose(model.apply(variables, x)[0], logits[0], rtol=1e-6)
    changed = x.at[1, 4:].set(100.0)
    np.testing.assert_allclose(model.apply(variables, changed, lengths)[1], logits[1], rtol=1e-6)
