"""compile(step_fn): after two eager calls (trace, then a check of the trace) a step is
replayed as straight-line array code. Replays must equal eager mode to the last bit, and
anything a replay could not see (new shapes, other ops, values made outside the graph) must be
a clear error, never a silently frozen value."""

from __future__ import annotations

from typing import Any, Callable

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from autograd_engine import (CompileError, Function, Tensor, compile, cross_entropy,
                             detect_anomaly, grad, linear, log_softmax, no_grad, run_backward,
                             where)
from engine_strategies import FAST, broadcastable_pairs


def eager_and_compiled(step_fn: Callable[..., Tensor], params: list[Tensor],
                       batches: list[tuple]) -> None:
    """Run step_fn eagerly and compiled from the same parameters over the batches, a plain
    gradient-descent update after each step; losses, gradients and parameters must be equal
    bit for bit at every step (three or more batches: two traced, then replays)."""
    twins = [Tensor(p.data, requires_grad=True) for p in params]
    compiled = compile(lambda *inputs: step_fn(twins, *inputs))
    for batch in batches:
        loss = step_fn(params, *[Tensor(x) for x in batch])
        loss.backward()
        replayed = compiled(*batch)
        assert np.array_equal(loss.data, replayed.data) and replayed.dtype == loss.dtype
        for p, q in zip(params, twins):
            assert np.array_equal(p.grad.data, q.grad.data) and p.grad.dtype == q.grad.dtype
            p.data -= 0.1 * p.grad.data
            q.data -= 0.1 * q.grad.data
            p.grad = q.grad = None
    assert compiled.verified


def test_an_mlp_step_replays_bit_for_bit() -> None:
    rng = np.random.default_rng(0)
    params = [Tensor(rng.standard_normal(shape), requires_grad=True)
              for shape in [(5, 4), (5,), (3, 5), (3,)]]

    def step(p: list[Tensor], x: Tensor, y: Tensor) -> Tensor:
        hidden = linear(x, p[0], p[1]).tanh()
        return cross_entropy(linear(hidden, p[2], p[3]), y)

    batches = [(rng.standard_normal((6, 4)), rng.integers(0, 3, 6)) for _ in range(5)]
    eager_and_compiled(step, params, batches)


@FAST
@given(pair=broadcastable_pairs(), seed=st.integers(0, 2**16))
def test_broadcasting_and_0d_values_replay_bit_for_bit(pair: tuple, seed: int) -> None:
    """Gradients summed back over broadcast axes, and 0-d results, as the engine does them."""
    x_shape, w_shape = pair
    rng = np.random.default_rng(seed)
    params = [Tensor(rng.uniform(0.5, 1.5, w_shape), requires_grad=True),
              Tensor(rng.uniform(0.5, 1.5), requires_grad=True)]

    def step(p: list[Tensor], x: Tensor) -> Tensor:
        y = (x * p[0] + p[1]).exp() / 2.0
        return (y * y).mean() + p[1] ** 2

    eager_and_compiled(step, params, [(rng.uniform(-1, 1, x_shape),) for _ in range(3)])


def test_float32_stays_float32() -> None:
    w = Tensor(np.arange(6.0).reshape(2, 3) / 10, dtype=np.float32, requires_grad=True)
    step = compile(lambda x: (linear(x, w).sigmoid() * 2.0).sum())
    for i in range(4):
        x = np.full((4, 3), i, dtype=np.float32)
        twin = Tensor(w.data, requires_grad=True)
        eager = (linear(Tensor(x), twin).sigmoid() * 2.0).sum()
        eager.backward()
        w.grad = None
        loss = step(x)
        assert loss.dtype == np.float32 and np.array_equal(loss.data, eager.data)
        assert w.grad.dtype == np.float32 and np.array_equal(w.grad.data, twin.grad.data)


def test_ops_on_the_inputs_alone_are_traced_and_replayed() -> None:
    """Reshaping the labels, scaling the batch, a mask made by a comparison: ops without a
    gradient are in the trace too, so a replay recomputes them (they were frozen constants)."""
    rng = np.random.default_rng(3)
    params = [Tensor(rng.standard_normal((1, 4)), requires_grad=True)]

    def step(p: list[Tensor], x: Tensor, y: Tensor) -> Tensor:
        z = linear(x / 255.0, p[0])
        hand_made_relu = z * (z > 0)  # a comparison: no gradient through the mask itself
        return ((hand_made_relu - y.reshape(-1, 1).astype(np.float64)) ** 2).mean()

    batches = [(rng.uniform(0, 255, (5, 4)), rng.integers(0, 2, 5)) for _ in range(5)]
    eager_and_compiled(step, params, batches)


def test_the_same_tensor_passed_twice_is_two_inputs() -> None:
    w = Tensor(np.ones(3), requires_grad=True)
    step = compile(lambda a, b: (w * a - b).sum() ** 2)
    x = Tensor(np.ones(3))
    for _ in range(2):
        step(x, x)
    loss = step(np.full(3, 2.0), np.zeros(3))
    assert loss.item() == 36.0  # (3 * 2 - 0) ** 2: the inputs are not tied together


def test_gradients_accumulate_into_grad_as_backward_does() -> None:
    w = Tensor([1.0, 2.0], requires_grad=True)
    step = compile(lambda x: (w * x).sum())
    for _ in range(4):  # no zero_grad: 4 calls add up, eager or replayed
        step(np.array([3.0, 4.0]))
    np.testing.assert_array_equal(w.grad.data, [12.0, 16.0])


def test_a_new_shape_is_an_error_that_names_the_input_and_both_shapes() -> None:
    w = Tensor(np.ones(3), requires_grad=True)
    step = compile(lambda x, y: ((x * w).sum(axis=1) - y).sum())
    for _ in range(3):
        step(np.ones((4, 3)), np.ones(4))
    with pytest.raises(CompileError, match=r"input 0 has shape \(2, 3\).*traced with shape "
                                           r"\(4, 3\).*last batch"):
        step(np.ones((2, 3)), np.ones(2))
    with pytest.raises(CompileError, match="traced with 2 inputs, and is called with 1"):
        step(np.ones((4, 3)))


def test_control_flow_that_changes_the_ops_is_caught_on_the_second_call() -> None:
    w = Tensor(np.ones(3), requires_grad=True)
    calls = []

    def step(x: Tensor) -> Tensor:
        calls.append(1)
        y = x * w
        return (y.tanh() if len(calls) == 2 else y.exp()).sum()

    compiled = compile(step)
    compiled(np.ones(3))
    with pytest.raises(CompileError, match="op 1 of step_fn was 'exp' on the first call and "
                                           "'tanh' on the second"):
        compiled(np.ones(3))


def test_values_made_from_the_inputs_outside_the_graph_are_caught() -> None:
    """Labels read as an index, a random mask: replay would freeze them, so compile refuses."""
    w = Tensor(np.ones((2, 3)), requires_grad=True)

    def picked_by_index(x: Tensor, y: Tensor) -> Tensor:
        return -log_softmax(x @ w, axis=1)[np.arange(2), y.data].sum()  # y read as numbers

    step = compile(picked_by_index)
    step(np.ones((2, 2)), np.array([0, 1]))
    with pytest.raises(CompileError, match=r"'getitem'\) had .*index.* on the first call"):
        step(np.ones((2, 2)), np.array([2, 1]))

    rng = np.random.default_rng(0)
    step = compile(lambda x: (x * w[0] * (rng.random(3) > 0.5)).sum())  # a dropout-like mask
    step(np.ones(3))
    with pytest.raises(CompileError, match="operand 1 on the first call"):
        for _ in range(20):  # until two masks differ
            step(np.ones(3))


def test_a_tensor_that_changes_cannot_index_but_a_tensor_condition_is_traced() -> None:
    """An index becomes getitem's setting, frozen by a replay even when the two traced calls
    agree: refused. where() casts a non-bool condition with an op, which a replay repeats."""
    w = Tensor(np.ones((2, 3)), requires_grad=True)
    gathers = compile(lambda x, y: -log_softmax(x @ w, axis=1)[np.arange(2), y].sum())
    with pytest.raises(CompileError, match=r"x\[index\].*use cross_entropy"):
        gathers(np.ones((2, 2)), np.array([0, 1]))
    masks = compile(lambda x: (x @ w)[x[:, 0] > 0].sum())
    with pytest.raises(CompileError, match=r"x\[index\].*where\(mask, x, 0.0\)"):
        masks(np.ones((2, 2)))

    rng = np.random.default_rng(5)
    params = [Tensor(rng.standard_normal(6), requires_grad=True)]
    x, ones = rng.standard_normal(6), np.ones(6)
    batches = [(x, ones), (x, ones)] + [(x, (rng.random(6) > 0.5) * 1.0) for _ in range(3)]
    eager_and_compiled(lambda p, x, m: where(m, p[0] * x, -p[0]).sum(), params, batches)


class Cube(Function):
    """A user's op, written without __slots__, that keeps its square for backward."""

    saved_by_forward = ("square",)

    def forward(self, a: np.ndarray) -> np.ndarray:
        self.square = a * a
        return self.square * a

    def backward(self, grad: Any, out: Any, a: Any) -> tuple[Any]:
        square = a * a if isinstance(a, Tensor) else self.square
        return (grad * 3.0 * square,)


def test_what_a_users_op_saved_for_backward_is_not_taken_for_a_setting() -> None:
    rng = np.random.default_rng(6)
    params = [Tensor(rng.standard_normal(4), requires_grad=True)]
    batches = [(rng.standard_normal(4),) for _ in range(4)]
    eager_and_compiled(lambda p, x: Cube.apply(p[0] * x).sum(), params, batches)


def test_the_same_values_made_inside_the_step_are_fine() -> None:
    w = Tensor(np.ones(3), requires_grad=True)
    step = compile(lambda x: (x * w * np.arange(3.0)).sum())  # a fresh, equal constant each call
    for _ in range(3):
        step(np.ones(3))
    assert step.verified
    np.testing.assert_array_equal(w.grad.data, [0.0, 3.0, 6.0])


def test_what_can_change_after_tracing_is_checked_on_every_call() -> None:
    w = Tensor(np.ones(3), requires_grad=True)
    step = compile(lambda x: (x * w).sum())
    for _ in range(3):
        step(np.ones(3))
    w.requires_grad_(False)
    with pytest.raises(CompileError, match="requires_grad=True when traced.*requires_grad="
                                           "False"):
        step(np.ones(3))
    w.requires_grad_(True)
    w.data = w.data.astype(np.float32)
    with pytest.raises(CompileError, match="float64.*is now shape \\(3,\\), float32"):
        step(np.ones(3))

    a, b = Tensor(np.ones(3), requires_grad=True), Tensor(np.ones(3), requires_grad=True)
    step = compile(lambda x: (x * a + x * b).sum())  # two parameters of the same shape
    for _ in range(3):
        step(np.ones(3))
    b.data = np.ones(4)
    (name,) = [k for k, v in step.plan.names.items() if v is b]  # b's name in step.code
    assert f"{name}.data  # parameter (3,)" in step.code
    with pytest.raises(CompileError, match=rf"\({name} in step.code, first read by 'mul': "
                                           r"shape \(3,\)"):
        step(np.ones(3))


def test_inputs_are_data_not_parameters() -> None:
    w = Tensor(np.ones(3), requires_grad=True)
    step = compile(lambda x: (x * w).sum())
    with pytest.raises(CompileError, match="input 0 requires grad"):
        step(w)
    with pytest.raises(CompileError, match="input 0 requires grad"):
        step(w * 2.0)  # a value with a graph behind it


def test_reading_a_traced_value_in_python_is_refused() -> None:
    w = Tensor(np.ones(3), requires_grad=True)

    def branches_on_a_value(x: Tensor) -> Tensor:
        loss = (x * w).sum()
        return loss * 2.0 if loss.item() > 1 else loss  # a replay would keep one branch

    with pytest.raises(CompileError, match="reads the value of a traced tensor \\(item\\(\\)"):
        compile(branches_on_a_value)(np.ones(3))
    with pytest.raises(CompileError, match="bool\\(\\)"):
        compile(lambda x: (x * w).sum() if (x.sum() > 0) else w.sum())(np.ones(3))


@pytest.mark.filterwarnings("ignore:divide by zero")  # the gradient of sqrt at 0, on purpose
def test_no_grad_is_refused_and_detect_anomaly_runs_eagerly() -> None:
    w = Tensor([1.0, 0.0], requires_grad=True)
    step = compile(lambda x: (x * w.sqrt()).sum())
    for _ in range(3):
        step(np.ones(2))
    with no_grad(), pytest.raises(CompileError, match="no_grad"):
        step(np.ones(2))
    with detect_anomaly(), pytest.raises(RuntimeError, match="'sqrt' produced nan or inf"):
        step(np.ones(2))  # the replay has no anomaly checks: eager mode has


@pytest.mark.filterwarnings("ignore:divide by zero")
def test_a_failed_second_backward_does_not_verify_the_step() -> None:
    w = Tensor([1.0, 0.0], requires_grad=True)
    step = compile(lambda x: (x * w.sqrt()).sum())
    step(np.ones(2))
    with detect_anomaly(), pytest.raises(RuntimeError, match="nan or inf"):
        step(np.ones(2))
    assert not step.verified


def test_input_checks_inside_ops_run_on_every_replay() -> None:
    w = Tensor(np.ones((3, 2)), requires_grad=True)
    step = compile(lambda x, y: cross_entropy(x @ w, y))
    for _ in range(3):
        step(np.ones((2, 3)), np.array([0, 1]))
    with pytest.raises(ValueError, match="class index -1"):
        step(np.ones((2, 3)), np.array([0, -1]))


@pytest.mark.parametrize("step_fn, message", [
    (lambda x: 3.0, "must return the loss as a Tensor, got float"),
    (lambda x: x * 2.0, "no graph"),
    (lambda x: x * Tensor(np.ones(3), requires_grad=True), "one-element loss.*shape \\(3,\\)"),
    (lambda x: (x * Tensor(np.ones(3), requires_grad=True)).sum(), "operand 1.*parameter"),
    (lambda x: Tensor(1.0, requires_grad=True), "returned a parameter itself"),
])
def test_what_compile_cannot_replay_is_a_clear_error(step_fn: Callable, message: str) -> None:
    step = compile(step_fn)
    with pytest.raises(CompileError, match=message):
        step(np.ones(3))
        step(np.ones(3))


def test_a_step_that_runs_backward_itself_or_keeps_a_gradient_is_refused() -> None:
    w = Tensor(np.ones(3), requires_grad=True)

    def runs_backward(x: Tensor) -> Tensor:
        loss = (x * w).sum()
        loss.backward()
        return loss

    def penalises_its_gradient(x: Tensor) -> Tensor:
        """A gradient penalty: abs's backward makes its signs a constant, which a replay
        would keep after the weights change sign."""
        loss = (w.abs() * x).sum()
        (g,) = grad(loss, [w], create_graph=True)
        return loss + (g * g).sum()

    for step_fn in (runs_backward, penalises_its_gradient):
        with pytest.raises(CompileError, match="runs a backward pass itself"):
            compile(step_fn)(np.ones(3))

    def looks_at_its_gradients(x: Tensor) -> Tensor:
        """viz's read-only pass (inspect=True) writes no .grad and changes nothing: allowed."""
        loss = (x * w).sum()
        run_backward([loss], [None], retain_graph=True, create_graph=False, capture=[],
                     inspect=True)
        return loss

    w.grad = None
    compile(looks_at_its_gradients)(np.full(3, 2.0))
    np.testing.assert_array_equal(w.grad.data, [2.0, 2.0, 2.0])
    with pytest.raises(CompileError, match="retain_grad"):
        compile(lambda x: (x * w).retain_grad().sum())(np.ones(3))
    with pytest.raises(TypeError, match="expected a function"):
        compile(3)


def test_the_loss_a_compiled_step_returns_is_detached_and_says_so() -> None:
    w = Tensor(np.ones(3), requires_grad=True)
    loss = compile(lambda x: (x * w).sum())(np.ones(3))
    with pytest.raises(RuntimeError, match="the loss a compiled step returns, detached"):
        loss.backward()


def test_the_replayed_code_can_be_read() -> None:
    w = Tensor(np.ones((2, 3)), requires_grad=True)
    step = compile(lambda x: linear(x, w).relu().sum())
    assert step.code is None
    step(np.ones((4, 3)))
    code = step.code
    assert code.startswith("def step(v0):")
    assert "# linear -> (4, 2) float64" in code and "# relu" in code
    assert "t1.grad = accumulate(t1.grad, g1, create_graph=False, fresh=True)" in code


def test_a_gradient_that_two_parameters_share_is_copied_on_replay() -> None:
    """add passes one gradient to both inputs: each .grad must still be an array of its own,
    while a matmul's new array may be kept as it is."""
    a, b = Tensor(np.ones(3), requires_grad=True), Tensor(np.ones(3), requires_grad=True)
    w = Tensor(np.ones((2, 3)), requires_grad=True)
    step = compile(lambda x: ((a + b) * x).sum() + linear(x, w).sum())
    for _ in range(3):
        a.grad = b.grad = w.grad = None
        step(np.full(3, 2.0))
        assert not np.shares_memory(a.grad.data, b.grad.data)
    assert "t2.grad = accumulate(t2.grad, g2, create_graph=False)\n" in step.code  # b: copied
    assert "fresh=True" in step.code  # w's gradient: a matmul result, kept


def test_casts_to_integers_and_detach_are_traced_too() -> None:
    """Labels that arrive as floats and are cast to classes, a detached value: recomputed on
    every replay, even when the two traced calls happen to agree."""
    rng = np.random.default_rng(4)
    params = [Tensor(rng.standard_normal((3, 3)), requires_grad=True)]

    def step(p: list[Tensor], x: Tensor, y: Tensor) -> Tensor:
        scores = x @ p[0]
        baseline = (x * 0.5).detach()
        return cross_entropy(scores - baseline, y.astype(np.int64))

    same_labels = np.array([0.0, 1.0])
    batches = [(rng.standard_normal((2, 3)), same_labels), (rng.standard_normal((2, 3)),
                                                            same_labels)]
    batches += [(rng.standard_normal((2, 3)), np.array([2.0, 0.0])) for _ in range(3)]
    eager_and_compiled(step, params, batches)


def test_changing_a_tensor_in_place_inside_the_step_is_refused() -> None:
    w = Tensor(np.ones(3), requires_grad=True)

    def centers_in_place(x: Tensor) -> Tensor:
        x -= x.sum() / 3  # a replay would skip this
        return (x * w).sum()

    with pytest.raises(CompileError, match="in place \\('-='\\).*x = x - y"):
        compile(centers_in_place)(np.arange(3.0))

    def clips_the_weights(x: Tensor) -> Tensor:
        with no_grad():
            w.__imul__(0.9)
        return (x * w).sum()

    with pytest.raises(CompileError, match="in place"):
        compile(clips_the_weights)(np.ones(3))


def test_copying_a_traced_value_out_of_the_graph_is_refused() -> None:
    w = Tensor(np.ones(3), requires_grad=True)
    with pytest.raises(CompileError, match="Tensor\\(...\\) of it"):
        compile(lambda x: (Tensor(x) * w).sum())(np.ones(3))
    with pytest.raises(CompileError, match="numpy\\(\\)"):
        compile(lambda x: (w * x.numpy()).sum())(np.ones(3))
    with pytest.raises(CompileError, match="np.asarray\\(\\)"):
        compile(lambda x: (w * np.asarray(x)).sum())(np.ones(3))
    with pytest.raises(CompileError, match="int\\(\\)"):
        compile(lambda x: (w * int(x.sum())).sum())(np.ones(3))


def test_asking_for_a_gradient_of_a_traced_value_is_refused() -> None:
    """Inside a trace, x * 2.0 is an op's result even when x needs no gradient; eager mode
    would make it a leaf that requires grad, which a replay could not give a .grad."""
    w = Tensor(np.ones(3), requires_grad=True)

    def makes_a_leaf(x: Tensor) -> Tensor:
        scaled = (x * 2.0).requires_grad_()
        return (scaled * w).sum()

    with pytest.raises(RuntimeError, match="inside a compiled step"):
        compile(makes_a_leaf)(np.ones(3))


def test_a_kept_gradient_is_laid_out_as_eager_mode_lays_it_out() -> None:
    """numpy gives an F-ordered result for F-ordered operands; eager mode's copy into .grad
    is C-ordered, and reductions over the two differ in the last bits, so replays copy too."""
    w = Tensor(np.asfortranarray(np.arange(6.0).reshape(2, 3)), requires_grad=True)
    step = compile(lambda x: (w * x).logsumexp(axis=0).sum())
    for _ in range(3):
        w.grad = None
        step(np.asfortranarray(np.ones((2, 3))))
        assert w.grad.data.flags.c_contiguous


def test_an_extra_op_on_the_second_call_is_caught() -> None:
    w = Tensor(np.ones(3), requires_grad=True)
    calls = []

    def grows(x: Tensor) -> Tensor:
        calls.append(1)
        loss = (x * w).sum()
        return loss * 2.0 if len(calls) == 2 else loss

    step = compile(grows)
    step(np.ones(3))
    with pytest.raises(CompileError, match="recorded 2 ops on its first call and 3 on its "
                                           "second: Python control flow"):
        step(np.ones(3))
