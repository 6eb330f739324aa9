"""Data parallelism (``seqjax.train.parallel``: the batch split over devices under ``jax.jit``)
splits the recurrences' work too: the compiled gradient of every sequential runner holds no
all-gather (each device keeps its rows, from the loops to the weight gradients, whose partial
sums are added), the custom backward's loops no collective at all (the partial sums are added
once, after the loop), and the gradient equals the one on one device; every layer of the
registry, with its default options, gathers nothing and adds nothing in a loop either. Runs in a
subprocess with 2 simulated CPU devices.

Before the custom backward contracted ``[time, batch]`` in place, XLA gathered the activations
of the whole batch on every device for the weight gradients, and 2 devices trained at
0.61-0.83x the tokens/s of one (BENCHMARKS.md, issue 20, "data parallelism")."""

from __future__ import annotations

import textwrap

from seqjax import nn
from tests.helpers import run_on_two_simulated_devices

SCRIPT = textwrap.dedent(r"""
    import re
    import jax, jax.numpy as jnp, numpy as np
    from seqjax import core
    from seqjax.train import parallel

    assert len(jax.devices()) == 2, jax.devices()
    mesh = parallel.data_mesh()

    def collectives_in_loops(hlo):
        bodies = set(re.findall(r"body=%([\w.\-]+)", hlo))
        computations = re.split(r"\n(?=\S)", hlo)
        assert bodies and all(any(c.startswith(f"%{b} ") for c in computations) for b in bodies), "HLO not parsed"
        return [c.split(" ", 1)[0] for c in computations
                if c.split(" ", 1)[0].lstrip("%") in bodies and re.search(r"all-reduce\(|all-gather\(", c)]

    x = jax.random.normal(jax.random.key(1), (4, 9, 3))
    lengths = jnp.array([9, 4, 7, 1])
    cells = {"lstm": core.LSTMCell(), "gru": core.GRUCell(reset_after=True),
             "gru-reset-before": core.GRUCell(reset_after=False), "rnn": core.SimpleRNNCell()}
    for name, cell in cells.items():
        params = cell.init(jax.random.key(0), 3, 5)
        for backward in ("custom", "autodiff"):
            for hoist in (False, True):
                options = core.RunOptions(scan="sequential", backward=backward, hoist_projection=hoist)

                def loss(params, x, lengths):
                    outputs, final = core.run(cell, params, x, lengths=lengths, options=options)
                    return jnp.mean(jnp.square(outputs)) + sum(jnp.mean(leaf) for leaf in jax.tree.leaves(final))

                grad = jax.jit(jax.grad(loss, argnums=(0, 1)))
                split = (parallel.replicate(params, mesh), *parallel.shard_batch((x, lengths), mesh))
                compiled = grad.lower(*split).compile().as_text()
                assert "all-gather(" not in compiled, (name, backward, hoist, "gathers the batch")
                if backward == "custom":  # autodiff's transposed loop adds its weight gradients' partial sums each step
                    assert not collectives_in_loops(compiled), (name, hoist, collectives_in_loops(compiled))
                want, got = grad(params, x, lengths), grad(*split)
                for w, g in zip(jax.tree.leaves(want), jax.tree.leaves(got)):
                    error = float(jnp.max(jnp.abs(w - g)) / (jnp.max(jnp.abs(w)) + 1e-30))
                    assert error < 1e-5, (name, backward, hoist, error)
                print(name, backward, hoist, "ok")

    from seqjax import nn
    inputs = parallel.shard_batch(jnp.ones((4, 6, 8)), mesh)
    for name in nn.LAYERS:  # every layer of the registry with its default options
        layer = nn.recurrent_layer(name, 8)
        params = parallel.replicate(layer.init(jax.random.key(0), inputs), mesh)
        grad = jax.jit(jax.grad(lambda params, x: jnp.mean(jnp.square(layer.apply(params, x)[0]))))
        compiled = grad.lower(params, inputs).compile().as_text()
        assert "all-gather(" not in compiled and not collectives_in_loops(compiled), name
        print(name, "layer ok")
""")


def test_the_gradient_of_a_split_batch_gathers_nothing_and_equals_the_one_device_gradient():
    output = run_on_two_simulated_devices(SCRIPT)
    assert output.count(" ok") == 16 + len(nn.LAYERS), output  # 16 runner cases, then each registry layer
