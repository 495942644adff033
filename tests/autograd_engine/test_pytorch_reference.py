"""Gradients that match PyTorch to float64 precision.

The reference numbers were computed once with PyTorch 2.13.0 (CPU, float64) on the same
graphs and are hard-coded here, so these tests need no torch. They pin the conventions at
kinks and ties too: relu'(0) = abs'(0) = 0, clamp passes the gradient at its bounds,
leaky_relu'(0) = slope, amax/amin split ties evenly, maximum splits a tie in half, and the
exponent's gradient at base 0 is 0.
"""

from __future__ import annotations

import numpy as np

from autograd_engine import Tensor, grad, log_softmax, maximum

RTOL = 1e-12


def test_small_classifier_matches_pytorch() -> None:
    x = Tensor([[0.5, -1.2, 0.3], [1.5, 0.2, -0.7]], requires_grad=True)
    w = Tensor([[0.1, -0.2, 0.3, 0.05], [0.4, 0.0, -0.5, 0.2], [-0.3, 0.25, 0.15, -0.1]],
               requires_grad=True)
    b = Tensor([0.01, -0.02, 0.03, 0.0], requires_grad=True)
    onehot = np.array([[0, 0, 1, 0], [1, 0, 0, 0]], dtype=float)
    y = log_softmax((x @ w + b).tanh(), axis=1)
    loss = -(y * onehot).sum() / 2 + (w**2).sum() * 0.01
    loss.backward()
    np.testing.assert_allclose(loss.item(), 0.9616489637767365, rtol=RTOL)
    np.testing.assert_allclose(w.grad.data, [
        [-0.3849429618690666, 0.13131786599907158, 0.12730278784260743, 0.23027203965479287],
        [-0.1147084099305205, -0.1212832052384089, 0.1930781419097263, -0.07364980153952289],
        [0.20451696747488862, 0.0005150677428691032, -0.13230457265527096, -0.06342755247322111],
    ], rtol=RTOL)
    np.testing.assert_allclose(b.grad.data, [-0.2205324929927225, 0.16354116717742584,
                                             -0.017502231015829428, 0.2098056089769647], rtol=RTOL)
    np.testing.assert_allclose(x.grad.data, [
        [-0.056379376334787915, 0.11332303089729977, -0.020021853058246213],
        [0.0068575047441299004, -0.1508237907910811, 0.10346099720034854],
    ], rtol=RTOL)


def test_kinks_and_ties_follow_pytorch() -> None:
    a = Tensor([[1.0, 3.0, 3.0], [0.0, -2.0, 0.0]], requires_grad=True)
    out = (a.max(axis=1).sum() + a.min(axis=0).sum() * 2
           + maximum(a, np.array([3.0, 3.0, 0.0])).sum() * 3 + a.relu().sum() * 5
           + a.abs().sum() * 7 + a.clip(-2.0, 1.0).sum() * 11 + a.leaky_relu(0.1).sum() * 13)
    out.backward()
    np.testing.assert_allclose(a.grad.data, [[36.0, 27.0, 28.5],
                                             [14.8, 7.300000000000001, 16.3]], rtol=RTOL)


def test_reductions_over_tuple_axes_with_broadcasting_match_pytorch() -> None:
    v = Tensor([[[0.3, -0.1], [0.8, 1.1], [-0.5, 0.2]],
                [[1.0, 0.0], [0.4, -0.9], [0.6, 0.7]]], requires_grad=True)
    s = Tensor([[0.5], [2.0], [-1.0]], requires_grad=True)
    out = ((v * s).var(axis=(0, 2), ddof=1).sum()
           + (v - s).logsumexp(axis=(0, 2), keepdims=True).mean()
           + ((v / (s**2 + 1)).mean(axis=1) ** 2).sum())
    out.backward()
    np.testing.assert_allclose(out.item(), 4.960284374648989, rtol=RTOL)
    np.testing.assert_allclose(v.grad.data, [
        [[0.1019980895825759, 0.026496162876922497], [1.3107402402481858, 2.1511512966015895],
         [-0.4476370321326552, 0.06521685652288059]],
        [[0.47814330129896015, 0.03602911290820809], [0.2555403804120352, -3.306765250595144],
         [0.47168205969207994, 0.4374047825843613]],
    ], rtol=RTOL)
    np.testing.assert_allclose(s.grad.data, [[-0.2574755555555555], [2.7483377777777775],
                                             [-0.8377777777777777]], rtol=RTOL)


def test_tensor_powers_and_broadcast_batched_matmul_match_pytorch() -> None:
    base = Tensor([0.0, 0.5, 2.0], requires_grad=True)
    exponent = Tensor([2.0, -1.5, 0.7], requires_grad=True)
    a = Tensor([[[1.0, 2.0], [3.0, -1.0]]], requires_grad=True)  # batch of 1, broadcast to 3
    b = Tensor([[[0.5], [1.0]], [[-1.0], [0.25]], [[2.0], [0.0]]], requires_grad=True)
    out = (base**exponent).sum() + ((a @ b).squeeze(-1) * np.array([1.0, -2.0])).sum()
    out.backward()
    np.testing.assert_allclose(base.grad.data, [0.0, -8.485281374238571, 0.5685766774493648],
                               rtol=RTOL)
    np.testing.assert_allclose(exponent.grad.data, [0.0, -1.9605162869370945,
                                                    1.1260209168747677], rtol=RTOL)
    np.testing.assert_allclose(a.grad.data, [[[1.5, 1.25], [-3.0, -2.5]]], rtol=RTOL)
    np.testing.assert_allclose(b.grad.data, [[[-5.0], [4.0]]] * 3, rtol=RTOL)


def test_hessian_vector_product_and_third_order_match_pytorch() -> None:
    z = Tensor([0.2, -1.0, 0.7, 0.1], requires_grad=True)
    target = np.array([0.0, 0.0, 1.0, 0.0])
    v = np.array([1.0, -1.0, 0.5, 2.0])
    cross_entropy = -(log_softmax(z * z.sigmoid(), axis=0) * target).sum()
    (g,) = grad(cross_entropy, z, create_graph=True)
    (hv,) = grad((g * v).sum(), z, create_graph=True)
    (third,) = grad(hv.sum(), z)
    np.testing.assert_allclose(g.data, [0.14766044501342668, 0.012199737875873327,
                                        -0.5332705981153981, 0.12791792926916368], rtol=RTOL)
    np.testing.assert_allclose(hv.data, [0.13004719824998448, -0.05842555887863595,
                                         -0.162854245588767, 0.303532138037231], rtol=RTOL)
    np.testing.assert_allclose(third.data, [-0.001620369863382716, -0.06210299370861018,
                                            0.018316921113050097, 0.10867300254417459],
                               rtol=1e-10)


def test_float32_softmax_gradient_matches_pytorch() -> None:
    x = Tensor(np.array([[0.5, -1.2, 0.3], [1.5, 0.2, -0.7]], dtype=np.float32),
               requires_grad=True)
    loss = ((x * 3).softmax(axis=0) ** 2).sum()
    loss.backward()
    assert x.grad.dtype == np.float32
    np.testing.assert_allclose(loss.item(), 2.790182113647461, rtol=1e-6)
    np.testing.assert_allclose(x.grad.data, [[-0.24534947, -0.08475397, 0.24534911],
                                             [0.24534944, 0.084753945, -0.24534948]],
                               rtol=1e-5)
