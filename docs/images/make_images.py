"""Regenerate the pictures of docs/tutorial.md and docs/viz.md:

    .venv/bin/python docs/images/make_images.py

The step-through screenshot needs Chromium (`make chromium`); it is skipped without it.
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path

import numpy as np
from sklearn.datasets import make_moons
from sklearn.model_selection import train_test_split

import nn
import viz
from autograd_engine import Tensor

HERE = Path(__file__).resolve().parent


def neuron() -> Tensor:
    """micrograd's neuron, tanh(x1*w1 + x2*w2 + b), as in the tutorial."""
    values = {"x1": 2.0, "x2": 0.0, "w1": -3.0, "w2": 1.0, "b": 6.8813735870195432}
    t = {k: Tensor(v, requires_grad=not k.startswith("x"), name=k) for k, v in values.items()}
    out = (t["x1"] * t["w1"] + t["x2"] * t["w2"] + t["b"]).tanh()
    out.name = "out"
    return out


def main() -> None:
    out = neuron()
    viz.draw_graph(out).render(HERE / "neuron_forward.svg")
    out.backward(retain_graph=True)
    viz.draw_graph(out).render(HERE / "neuron_grads.svg")
    viz.draw_graph(out, view="backward").render(HERE / "neuron_backward.svg")

    x = Tensor(np.array([1.5, -0.5, -2.0]), requires_grad=True, name="x")
    viz.draw_graph((x.relu() * 2).sum(), view="backward").render(HERE / "dead_relu.svg")

    y = Tensor(1.0, requires_grad=True, name="x")
    for _ in range(1000):
        y = y * 1.0001
    viz.draw_graph(y.tanh(), max_nodes=20).render(HERE / "folded_chain.svg")

    X, y = make_moons(200, noise=0.15, random_state=0)
    X_train, X_val, y_train, y_val = train_test_split(X, y, test_size=0.25, random_state=0)
    nn.manual_seed(0)
    model = nn.MLP([2, 16, 16, 1], activation="relu")
    loss_fn = nn.BCEWithLogitsLoss()
    history = nn.fit(model, X_train, y_train, loss_fn, nn.optim.Adam(model.parameters(), lr=0.02),
                     epochs=60, batch_size=32, validation=(X_val, y_val), progress=False, seed=0)
    viz.plot_history(history, HERE / "history.png")
    viz.plot_decision_boundary(model, X_val, y_val, HERE / "moons_boundary.png")
    loss = loss_fn(model(Tensor(X_train[:8])),
                   Tensor(y_train[:8].reshape(-1, 1).astype(float)))
    loss.backward(retain_graph=True)
    viz.plot_grad_flow(model, HERE / "grad_flow.png")
    viz.draw_graph(loss, model=model, view="backward", rankdir="TB").render(HERE / "mlp_model.svg")
    viz.draw_graph(loss, model=model, view="backward", depth=2).render(HERE / "mlp_layers.svg")
    screenshot_step_through()


def screenshot_step_through() -> None:
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if chromium is None:
        print("no Chromium: docs/images/backprop_step.png not refreshed")
        return
    out = neuron()
    with tempfile.TemporaryDirectory() as scratch:
        page = viz.save_backprop(out, Path(scratch) / "bp.html")
        # mid-way through (step 5 of 8): done, current and still-hidden gradients all show
        forward = ('<script>window.addEventListener("load", () => { for (let i = 0; i < 4; i++) '
                   '{ document.querySelector(".bp-next").click(); } });</script></body>')
        page.write_text(page.read_text(encoding="utf-8").replace("</body>", forward),
                        encoding="utf-8")
        subprocess.run([chromium, "--headless", "--no-sandbox", "--disable-gpu",
                        "--hide-scrollbars", "--window-size=1300,820",
                        f"--user-data-dir={scratch}/profile", "--virtual-time-budget=1000",
                        f"--screenshot={HERE / 'backprop_step.png'}", page.as_uri()],
                       check=True, capture_output=True)


if __name__ == "__main__":
    main()
