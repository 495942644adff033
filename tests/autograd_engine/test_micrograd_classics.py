"""micrograd's two engine tests, with their exact expected numbers."""

from autograd_engine import Tensor


def test_sanity_check() -> None:
    x = Tensor(-4.0, requires_grad=True)
    z = 2 * x + 2 + x
    q = z.relu() + z * x
    h = (z * z).relu()
    y = h + q + q * x
    y.backward()
    assert y.item() == -20.0
    assert x.grad.item() == 46.0


def test_more_ops() -> None:
    a = Tensor(-4.0, requires_grad=True)
    b = Tensor(2.0, requires_grad=True)
    c = a + b
    d = a * b + b**3
    c = c + c + 1
    c = c + 1 + c + (-a)
    d = d + d * 2 + (b + a).relu()
    d = d + 3 * d + (b - a).relu()
    e = c - d
    f = e**2
    g = f / 2.0
    g = g + 10.0 / f
    g.backward()
    tol = 1e-12
    assert abs(g.item() - 24.70408163265306) < tol
    assert abs(a.grad.item() - 138.83381924198252) < tol
    assert abs(b.grad.item() - 645.5772594752186) < tol
