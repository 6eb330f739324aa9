"""seqjax and its peers, each built from the same ``SharedWeights`` into a timed callable.

Every builder returns a ``Prepared`` (or None when the peer is not installed or cannot run
the configuration): ``run()`` makes one call of the configured mode and waits for it;
``check()`` returns ``(outputs [batch, time, hidden], d_inputs [batch, time, input] or
None)`` as float32 numpy arrays, so the harness can confirm that all compute one function.
"""

from __future__ import annotations

import dataclasses
import importlib.util
import time
from collections.abc import Callable
from typing import Any, Literal

import jax
import jax.numpy as jnp
import numpy as np
import optax

from seqjax import core
from seqjax.train import parallel
from seqjax.bench.configs import BenchConfig, CellWeights, SharedWeights
from seqjax.bench.options import IMPLEMENTATIONS


@dataclasses.dataclass(frozen=True)
class Prepared:
    name: str
    run: Callable[[], Any]
    check: Callable[[], tuple[np.ndarray, np.ndarray | None]]
    compile_seconds: float | None = None
    peak_bytes: int | None = None


def _as_numpy(result: tuple[Any, Any]) -> tuple[np.ndarray, np.ndarray | None]:
    outputs, d_inputs = result
    return np.asarray(outputs, np.float32), None if d_inputs is None else np.asarray(d_inputs, np.float32)


def _blocks(matrix: np.ndarray, gates: int) -> list[np.ndarray]:
    return np.split(matrix, gates, axis=-1)


def jax_implementation(
    name: str, config: BenchConfig, weights: SharedWeights, apply: Callable[[Any, jax.Array], jax.Array], params: Any,
    mesh: jax.sharding.Mesh | None = None,
) -> Prepared:
    """Times ``apply(params, inputs) -> outputs [batch, time, hidden]`` under ``jax.jit``.

    Data are arguments, never constants baked into the program. The compile time is that of
    ``lower().compile()``; the peak memory is XLA's memory analysis of the compiled call
    (arguments + outputs + temporaries). With ``mesh``, the arguments are placed as
    ``seqjax.train.parallel`` places a train step's: parameters replicated, the batch split.
    """
    dtype = jnp.dtype(config.dtype)
    params = jax.tree.map(lambda a: jnp.asarray(a, dtype) if jnp.issubdtype(a.dtype, jnp.floating) else a, params)
    inputs = jnp.asarray(weights.inputs, dtype)
    cotangent = jnp.asarray(weights.cotangent, jnp.float32)
    if mesh is not None:
        params = parallel.replicate(params, mesh)
        inputs, cotangent = parallel.shard_batch((inputs, cotangent), mesh)

    def loss(params, inputs, cotangent):
        return jnp.sum(apply(params, inputs).astype(jnp.float32) * cotangent)

    gradients = jax.grad(loss, argnums=(0, 1))
    if config.mode == "forward":
        fn, args = apply, (params, inputs)
    elif config.mode == "train":
        fn, args = gradients, (params, inputs, cotangent)
    else:
        optimizer = optax.adam(1e-3)

        def fn(params, opt_state, inputs, cotangent):
            updates, opt_state = optimizer.update(gradients(params, inputs, cotangent)[0], opt_state, params)
            return optax.apply_updates(params, updates), opt_state

        args = (params, optimizer.init(params), inputs, cotangent)
    start = time.perf_counter()
    compiled = jax.jit(fn).lower(*args).compile()
    compile_seconds = time.perf_counter() - start
    memory = compiled.memory_analysis()
    peak = None
    if memory is not None:
        peak = int(memory.temp_size_in_bytes + memory.argument_size_in_bytes
                   + memory.output_size_in_bytes - memory.alias_size_in_bytes)

    @jax.jit
    def check(params, inputs, cotangent):
        d_inputs = None if config.mode == "forward" else gradients(params, inputs, cotangent)[1]
        return apply(params, inputs), d_inputs

    return Prepared(
        name=name,
        run=lambda: jax.block_until_ready(compiled(*args)),
        check=lambda: _as_numpy(check(params, inputs, cotangent)),
        compile_seconds=compile_seconds,
        peak_bytes=peak,
    )


def run_stack(run_one: Callable[[Any, jax.Array, bool], jax.Array], params: Any, inputs: jax.Array) -> jax.Array:
    """Layers bottom up; each direction's outputs concatenated (``params[layer][direction]``).

    ``run_one(cell_params, inputs, reverse) -> outputs [batch, time, hidden]``.
    """
    outputs = inputs
    for layer in params:
        outputs = jnp.concatenate(
            [run_one(cell_params, outputs, direction == 1) for direction, cell_params in enumerate(layer)], axis=-1
        )
    return outputs


def seqjax_implementation(
    config: BenchConfig, weights: SharedWeights, backward: str = "custom", cudnn: str = "off",
    split: Literal["shard_map", "jit"] | None = None,
) -> Prepared | None:
    """seqjax's scan (``cudnn="off"``), or its cuDNN path (``cudnn="on"``; None where it cannot run).
    ``split``: the batch split over every device (None with one device) by ``jax.shard_map``, or
    by placing the arguments as ``seqjax.train.parallel`` does and letting ``jax.jit`` split the
    computation (``"jit"``, how ``seqjax.train`` trains on several devices)."""
    if backward == "autodiff" and config.mode == "forward":
        return None  # the same forward pass as the custom one
    devices = jax.devices()
    if split is not None and (len(devices) < 2 or config.batch % len(devices)):
        print(f"  seqjax split ({split}) skipped: needs 2 or more devices that divide batch {config.batch}, has "
              f"{len(devices)} (on CPU: XLA_FLAGS=--xla_force_host_platform_device_count=2)", flush=True)
        return None
    cell = core.LSTMCell() if config.cell == "lstm" else core.GRUCell(reset_after=True)
    options = core.RunOptions(backward=backward, cudnn=cudnn)
    if cudnn == "on":
        reason = core.cudnn_fallback_reason(cell, options, [config.dtype])
        if reason is not None:
            print(f"  seqjax cuDNN skipped: {reason}", flush=True)
            return None

    def cell_params(w: CellWeights) -> Any:
        if config.cell == "lstm":
            return core.FusedParams(*w)
        return core.ResetAfterGRUParams(*w, candidate_recurrent_bias=np.zeros(config.hidden, np.float32))

    params = tuple(tuple(cell_params(w) for w in layer) for layer in weights.cells)

    def apply(params, inputs):
        outputs = inputs
        for layer in params:  # a bidirectional layer as the library runs it: both directions in one loop
            if len(layer) == 2:
                outputs = jnp.concatenate(core.run_both_directions(cell, *layer, outputs, options=options)[0], axis=-1)
            else:
                outputs = core.run(cell, layer[0], outputs, options=options)[0]
        return outputs

    name = {"on": "seqjax cuDNN", "off": "seqjax" if backward == "custom" else "seqjax (autodiff)"}[cudnn]
    if split == "shard_map":
        mesh = parallel.data_mesh(devices)
        batch = jax.sharding.PartitionSpec(parallel.DATA_AXIS)
        apply = jax.shard_map(apply, mesh=mesh, in_specs=(jax.sharding.PartitionSpec(), batch), out_specs=batch)
        return jax_implementation(f"seqjax (batch over {len(devices)} devices)", config, weights, apply, params)
    if split == "jit":
        name = f"seqjax (data parallel, {len(devices)} devices)"
        return jax_implementation(name, config, weights, apply, params, mesh=parallel.data_mesh(devices))
    return jax_implementation(name, config, weights, apply, params)


def flax_linen_implementation(config: BenchConfig, weights: SharedWeights, optimized: bool) -> Prepared | None:
    import flax.linen as nn

    if config.cell == "gru" and optimized:
        return None  # Flax has one GRU cell

    def variables(w: CellWeights) -> dict:
        V, W, b = (_blocks(a, config.gates) for a in w)
        if config.cell == "lstm":
            per_gate = {}
            for k, gate in enumerate("ifgo"):
                per_gate[f"i{gate}"] = {"kernel": V[k]}
                per_gate[f"h{gate}"] = {"kernel": W[k], "bias": b[k]}
            return {"params": {"cell": per_gate}}
        return {"params": {"cell": {
            "ir": {"kernel": V[0], "bias": b[0]}, "iz": {"kernel": V[1], "bias": b[1]},
            "in": {"kernel": V[2], "bias": b[2]}, "hr": {"kernel": W[0]}, "hz": {"kernel": W[1]},
            "hn": {"kernel": W[2], "bias": np.zeros(config.hidden, np.float32)},
        }}}

    if config.cell == "lstm":
        cell = (nn.OptimizedLSTMCell if optimized else nn.LSTMCell)(config.hidden)
        name = "flax linen OptimizedLSTMCell" if optimized else "flax linen LSTMCell"
    else:
        cell = nn.GRUCell(config.hidden)
        name = "flax linen GRUCell"
    rnns = (nn.RNN(cell), nn.RNN(cell, reverse=True, keep_order=True))
    params = tuple(tuple(variables(w) for w in layer) for layer in weights.cells)
    return jax_implementation(
        name, config, weights, lambda params, x: run_stack(lambda p, x, r: rnns[r].apply(p, x), params, x), params
    )


def flax_nnx_implementation(config: BenchConfig, weights: SharedWeights) -> Prepared | None:
    from flax import nnx

    if config.layers > 1 or config.bidirectional:
        return None  # measured as one layer, one direction
    (w,), = weights.cells
    rngs = nnx.Rngs(0)
    if config.cell == "lstm":
        cell = nnx.OptimizedLSTMCell(config.input, config.hidden, rngs=rngs)
        cell.dense_h.bias[...] = jnp.asarray(w.bias)
        name = "flax nnx OptimizedLSTMCell"
    else:
        cell = nnx.GRUCell(config.input, config.hidden, rngs=rngs)
        cell.dense_i.bias[...] = jnp.asarray(w.bias)
        name = "flax nnx GRUCell"
    cell.dense_i.kernel[...] = jnp.asarray(w.input_kernel)
    cell.dense_h.kernel[...] = jnp.asarray(w.recurrent_kernel)
    graphdef, params, rest = nnx.split(nnx.RNN(cell), nnx.Param, ...)

    def apply(params, inputs):
        zeros = jnp.zeros((inputs.shape[0], config.hidden), inputs.dtype)
        carry = (zeros, zeros) if config.cell == "lstm" else zeros
        return nnx.merge(graphdef, params, rest)(inputs, initial_carry=carry)

    return jax_implementation(name, config, weights, apply, params)


def equinox_implementation(config: BenchConfig, weights: SharedWeights) -> Prepared | None:
    if importlib.util.find_spec("equinox") is None or config.layers > 1 or config.bidirectional:
        return None  # Equinox is measured as one layer, one direction
    import equinox as eqx

    (w,), = weights.cells
    key = jax.random.key(0)
    if config.cell == "lstm":
        cell = eqx.nn.LSTMCell(config.input, config.hidden, key=key)
        cell = eqx.tree_at(lambda c: (c.weight_ih, c.weight_hh, c.bias), cell,
                           (w.input_kernel.T, w.recurrent_kernel.T, w.bias))
        zero = (jnp.zeros(config.hidden), jnp.zeros(config.hidden))
        hidden_of = lambda carry: carry[0]  # noqa: E731
    else:
        cell = eqx.nn.GRUCell(config.input, config.hidden, key=key)
        cell = eqx.tree_at(lambda c: (c.weight_ih, c.weight_hh, c.bias, c.bias_n), cell,
                           (w.input_kernel.T, w.recurrent_kernel.T, w.bias,
                            np.zeros(config.hidden, np.float32)))
        zero = jnp.zeros(config.hidden)
        hidden_of = lambda carry: carry  # noqa: E731
    params, static = eqx.partition(cell, eqx.is_array)

    def apply(params, inputs):
        cell = eqx.combine(params, static)

        def sequence(xs):
            def step(carry, x):
                carry = cell(x, carry)
                return carry, hidden_of(carry)

            zeros = jax.tree.map(lambda z: z.astype(xs.dtype), zero)
            return jax.lax.scan(step, zeros, xs)[1]

        return jax.vmap(sequence)(inputs)

    return jax_implementation(f"equinox {type(cell).__name__}", config, weights, apply, params)


def torch_implementation(config: BenchConfig, weights: SharedWeights) -> Prepared | None:
    if importlib.util.find_spec("torch") is None or config.dtype != "float32":
        return None
    import torch

    device = torch.device("cuda" if torch.cuda.is_available() else "cpu")  # cuDNN's LSTM/GRU on a GPU
    module = (torch.nn.LSTM if config.cell == "lstm" else torch.nn.GRU)(
        config.input, config.hidden, num_layers=config.layers, bidirectional=config.bidirectional, batch_first=True
    )
    with torch.no_grad():
        for layer, directions in enumerate(weights.cells):
            for direction, w in enumerate(directions):
                suffix = f"l{layer}" + ("_reverse" if direction else "")
                getattr(module, f"weight_ih_{suffix}").copy_(torch.from_numpy(w.input_kernel.T.copy()))
                getattr(module, f"weight_hh_{suffix}").copy_(torch.from_numpy(w.recurrent_kernel.T.copy()))
                getattr(module, f"bias_ih_{suffix}").copy_(torch.from_numpy(w.bias))
                getattr(module, f"bias_hh_{suffix}").zero_()
    module = module.to(device)
    inputs = torch.from_numpy(weights.inputs).to(device).requires_grad_(config.mode != "forward")
    cotangent = torch.from_numpy(weights.cotangent).to(device)

    def finished(*tensors: Any) -> tuple[Any, ...]:
        if device.type == "cuda":
            torch.cuda.synchronize()  # the harness times until the results exist, as block_until_ready does
        return tensors
    optimizer = torch.optim.Adam(module.parameters(), lr=1e-3)

    def call() -> tuple[Any, Any]:
        if config.mode == "forward":
            with torch.no_grad():
                return finished(module(inputs)[0], None)
        module.zero_grad(set_to_none=True)
        inputs.grad = None
        outputs = module(inputs)[0]
        (outputs * cotangent).sum().backward()
        if config.mode == "step":
            optimizer.step()
        return finished(outputs, inputs.grad)

    def check() -> tuple[np.ndarray, np.ndarray | None]:
        saved = {k: v.clone() for k, v in module.state_dict().items()}
        outputs, d_inputs = call()
        module.load_state_dict(saved)  # a "step" check must not move the weights
        return outputs.detach().cpu().numpy(), None if d_inputs is None else d_inputs.cpu().numpy()

    return Prepared(name=f"pytorch nn.{type(module).__name__}", run=call, check=check)


BUILDERS: dict[str, Callable[[BenchConfig, SharedWeights], Prepared | None]] = {
    "seqjax": seqjax_implementation,
    "seqjax-autodiff": lambda c, w: seqjax_implementation(c, w, backward="autodiff"),
    "seqjax-cudnn": lambda c, w: seqjax_implementation(c, w, cudnn="on"),
    "seqjax-sharded": lambda c, w: seqjax_implementation(c, w, split="shard_map"),
    "seqjax-data-parallel": lambda c, w: seqjax_implementation(c, w, split="jit"),
    "flax-linen": lambda c, w: flax_linen_implementation(c, w, optimized=False),
    "flax-linen-optimized": lambda c, w: flax_linen_implementation(c, w, optimized=True),
    "flax-nnx": flax_nnx_implementation,
    "equinox": equinox_implementation,
    "pytorch": torch_implementation,
}
"""Every implementation the harness knows, by the name ``--implementations`` takes."""
if tuple(BUILDERS) != IMPLEMENTATIONS:
    raise ImportError(f"BUILDERS has {tuple(BUILDERS)} but options.IMPLEMENTATIONS {IMPLEMENTATIONS}: "
                      "a new implementation adds its name to both")
