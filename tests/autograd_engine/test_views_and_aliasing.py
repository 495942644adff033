"""Memory shared between tensors never hides an in-place change from backward, and no two
tensors share a gradient array a user could change through the other."""

from __future__ import annotations

import threading

import numpy as np
import pytest

from autograd_engine import Tensor, grad, no_grad, topological_order

IN_PLACE = "in-place"


@pytest.mark.parametrize("make_view", [
    lambda x: x.reshape(2, 2), lambda x: x.T, lambda x: x[0:2], lambda x: x.detach()],
    ids=["reshape", "transpose", "slice", "detach"])
def test_changing_the_base_in_place_is_seen_through_a_view(make_view) -> None:
    x = Tensor(np.arange(4.0).reshape(2, 2), requires_grad=True)
    view = make_view(x)
    loss = (x * view).sum()
    with no_grad():
        x += 10
    with pytest.raises(RuntimeError, match=IN_PLACE):
        loss.backward()


def test_changing_a_slice_in_place_is_seen_by_graphs_that_saved_the_whole() -> None:
    c = Tensor([1.0, 2.0, 3.0])
    a = Tensor([1.0, 1.0, 1.0], requires_grad=True)
    loss = (a * c).sum()
    part = c[0:2]
    part += 100
    with pytest.raises(RuntimeError, match=IN_PLACE):
        loss.backward()


def test_a_copy_made_by_indexing_has_its_own_version() -> None:
    c = Tensor([1.0, 2.0, 3.0])
    a = Tensor([1.0, 1.0, 1.0], requires_grad=True)
    loss = (a * c).sum()
    picked = c[[0, 1]]  # advanced indexing copies: changing it cannot change c
    picked += 100
    loss.backward()
    np.testing.assert_array_equal(a.grad.data, [1.0, 2.0, 3.0])


def test_a_row_is_a_view_and_one_element_its_own_value_as_the_readme_says() -> None:
    x = Tensor(np.ones((2, 2)))
    row = x[0]
    row += 5
    assert x.data.tolist() == [[6.0, 6.0], [1.0, 1.0]] and x.version == 1
    v = Tensor([1.0, 2.0])
    element = v[0]
    element += 10
    assert v.data.tolist() == [1.0, 2.0] and v.version == 0 and element.item() == 11.0


def test_numpy_operands_are_copied() -> None:
    w = np.array([1.0, 2.0])
    x = Tensor([1.0, 2.0], requires_grad=True)
    loss = (x * w).sum()
    w[:] = 0  # the caller reuses their array
    loss.backward()
    np.testing.assert_array_equal(x.grad.data, [1.0, 2.0])


def test_each_leaf_owns_its_gradient() -> None:
    a, b = Tensor([1.0, 2.0], requires_grad=True), Tensor([3.0, 4.0], requires_grad=True)
    (a + b).sum().backward()  # add sends one gradient object to both inputs
    assert a.grad is not b.grad
    a.grad += 1
    np.testing.assert_array_equal(b.grad.data, [1.0, 1.0])
    seed = Tensor([1.0, 1.0])
    leaf = Tensor([5.0, 6.0], requires_grad=True)
    leaf.backward(seed)
    seed += 5
    np.testing.assert_array_equal(leaf.grad.data, [1.0, 1.0])


@pytest.mark.parametrize("other", [np.ones(3), Tensor(2.0), [1.0, 2.0, 3.0]],
                         ids=["float64 array", "0-d float64 tensor", "list"])
def test_a_float32_leaf_gets_a_float32_gradient(other) -> None:
    x = Tensor(np.ones(3, np.float32), requires_grad=True)
    (x * other).sum().backward()
    assert x.grad.dtype == np.float32


def test_astype_passes_the_gradient_back_in_the_source_dtype() -> None:
    x = Tensor(np.array([1.0, 2.0], np.float32), requires_grad=True)
    y = x.astype(np.float64)
    assert y.dtype == np.float64
    (y * y).sum().backward()
    assert x.grad.dtype == np.float32 and x.grad.data.tolist() == [2.0, 4.0]
    labels = x.astype(np.int64)
    assert labels.dtype == np.int64 and not labels.requires_grad


def test_functional_grad_runs_only_the_ops_between_outputs_and_inputs() -> None:
    x = Tensor([0.5, 1.0], requires_grad=True)
    h = x.exp()
    y = (h * 2.0).sum()
    (dh,) = grad(y, [h])
    np.testing.assert_array_equal(dh.data, [2.0, 2.0])
    h.sum().backward()  # exp's node below h was neither run nor released
    np.testing.assert_allclose(x.grad.data, np.exp([0.5, 1.0]))
    with no_grad():
        x += 1  # below h: grad(y, h) does not read it
    grad((h * 3.0).sum(), [h])


def test_walks_from_two_threads_over_shared_nodes_stay_exact() -> None:
    x = Tensor(np.ones(3), requires_grad=True)
    trunk = x
    for _ in range(300):
        trunk = trunk * 1.001
    roots = [(trunk * k).sum() for k in (2.0, 3.0)]
    expected = [len(topological_order([root])) for root in roots]
    results: dict[int, list[int]] = {0: [], 1: []}

    def walk(i: int) -> None:
        for _ in range(30):
            results[i].append(len(topological_order([roots[i]])))

    threads = [threading.Thread(target=walk, args=(i,)) for i in (0, 1)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert results[0] == [expected[0]] * 30 and results[1] == [expected[1]] * 30


def test_in_place_cannot_change_a_0d_tensor_s_shape() -> None:
    t = Tensor(1.0)
    with pytest.raises(ValueError, match=r"shape \(\)"):
        t += np.ones(3)
    assert t.shape == () and t.version == 0


@pytest.mark.parametrize("exponent, expected", [(0.0, [0.0, 0.0]), (2.0, [0.0, 4.0])])
def test_pow_base_gradient_at_zero_matches_pytorch(exponent: float, expected: list) -> None:
    x = Tensor([0.0, 2.0], requires_grad=True)
    (x ** exponent).sum().backward()
    assert x.grad.data.tolist() == expected


def test_pow_exponent_gradient_at_zero_base_matches_pytorch() -> None:
    a = Tensor([0.0, 0.0, 3.0], requires_grad=True)
    b = Tensor([1.0, -1.0, 2.0], requires_grad=True)
    with np.errstate(divide="ignore"):
        out = a ** b
    out.sum().backward()
    assert b.grad.data[0] == 0.0 and b.grad.data[1] == -np.inf
    assert b.grad.data[2] == pytest.approx(9 * np.log(3))
