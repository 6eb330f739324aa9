"""``core.run`` inside ``jax.shard_map`` (the batch split over devices, with JAX's type checks
on): every backward pass gives the gradients of the unsplit run, replicated parameters'
gradients summed over the shards. Runs in a subprocess with 2 simulated CPU devices."""

from __future__ import annotations

import textwrap

from tests.helpers import run_on_two_simulated_devices

SCRIPT = textwrap.dedent("""
    import jax, jax.numpy as jnp, numpy as np
    from jax.sharding import Mesh, PartitionSpec as P
    from seqjax import core

    assert len(jax.devices()) == 2, jax.devices()
    mesh = Mesh(np.array(jax.devices()), ("batch",))
    x = jax.random.normal(jax.random.key(1), (4, 9, 3))
    cotangent = jax.random.normal(jax.random.key(2), (4, 9, 5))
    lengths = jnp.array([9, 4, 7, 0])
    cells = {"lstm": core.LSTMCell(), "gru": core.GRUCell(reset_after=True), "rnn": core.SimpleRNNCell(),
             "mingru": core.MinGRUCell(), "lru": core.LRUCell()}
    for name, cell in cells.items():
        params = cell.init(jax.random.key(0), 3, 5)
        for options in (core.RunOptions(), core.RunOptions(backward="autodiff")):
            def loss(params, x, cotangent, lengths):
                outputs, final = core.run(cell, params, x, lengths=lengths, options=options)
                return jnp.sum(outputs.real * cotangent) + sum(jnp.sum(jnp.abs(leaf)) for leaf in jax.tree.leaves(final))
            grad = jax.grad(loss, argnums=(0, 1))
            split = jax.jit(jax.shard_map(
                grad,
                mesh=mesh, in_specs=(P(), P("batch"), P("batch"), P("batch")), out_specs=(P(), P("batch"))))
            want = jax.jit(grad)(params, x, cotangent, lengths)
            got = split(params, x, cotangent, lengths)
            for w, g in zip(jax.tree.leaves(want), jax.tree.leaves(got)):
                error = float(jnp.max(jnp.abs(w - g)) / (jnp.max(jnp.abs(w)) + 1e-30))
                assert error < 1e-5, (name, options, error)
            print(name, options.backward, "ok")
""")


def test_every_backward_pass_under_shard_map_equals_the_unsplit_run():
    output = run_on_two_simulated_devices(SCRIPT)
    assert output.count(" ok") == 10, output
