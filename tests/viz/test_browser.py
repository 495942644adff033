"""The step-through and the report in a real browser (headless Chromium): no console errors,
and the buttons and arrow keys move the highlight. Skipped when Chromium is not installed
(`make chromium` installs it)."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest

import viz
from autograd_engine import Tensor

CHROMIUM = os.environ.get("CHROMIUM") or next(
    (p for p in map(shutil.which, ("chromium", "chromium-browser", "google-chrome")) if p), None)
pytestmark = pytest.mark.skipif(CHROMIUM is None, reason="Chromium is not installed")

# Injected before the page's own scripts: collect errors and console.error calls.
PROBE_HEAD = """<script>
window.__errors = [];
window.addEventListener("error", (e) => window.__errors.push(String(e.message)));
const __consoleError = console.error;
console.error = (...args) => { window.__errors.push(args.join(" ")); __consoleError(...args); };
</script>"""
# Injected after them: drive the widget and write what happened into the DOM.
PROBE_TAIL = """<script>
window.addEventListener("load", () => {
  const current = () => Array.from(document.querySelectorAll(".bp-current"))
      .map((el) => el.id).join(",");
  const click = (name) => document.querySelector(".bp-" + name).click();
  const key = (k) => document.dispatchEvent(new KeyboardEvent("keydown", {key: k}));
  const shown = () => document.querySelectorAll(".bp-grad.bp-shown").length;
  const seen = [current()];
  const revealed = [shown()];
  const hiddenAtStart = document.querySelectorAll(".bp-grad:not(.bp-shown)").length;
  const boxGrads = '.bp-graph g.node[id^="m"] text.bp-grad';  // module boxes' |g| rows
  const boxHiddenAtStart = document.querySelectorAll(boxGrads + ":not(.bp-shown)").length;
  const hiddenFills = Array.from(document.querySelectorAll(".bp-grad-fill:not(.bp-shown)"))
      .map((el) => getComputedStyle(el).fill);
  const svg = document.querySelector(".bp-graph svg");
  const scale = svg.getBoundingClientRect().width / svg.width.baseVal.value;
  click("next"); seen.push(current()); revealed.push(shown());
  click("next"); seen.push(current());
  click("prev"); seen.push(current());
  key("ArrowRight"); seen.push(current());
  key("ArrowLeft"); seen.push(current());
  click("play");
  setTimeout(() => {
    seen.push(current());
    for (let i = 0; i < 500; i++) { key("ArrowRight"); }  // to the last step
    const boxHiddenAtEnd = document.querySelectorAll(boxGrads + ":not(.bp-shown)").length;
    // every step from the first: is each module box current, and how many rows hide
    for (let i = 0; i < 500; i++) { key("ArrowLeft"); }
    const boxTimeline = [];
    const total = JSON.parse(document.querySelector("script.bp-steps").textContent).length;
    for (let k = 0; k < total; k++) {
      const state = {};
      document.querySelectorAll('.bp-graph g.node[id^="m"]').forEach((g) => {
        state[g.id] = [g.classList.contains("bp-current"),
                       g.querySelectorAll("text.bp-grad:not(.bp-shown)").length];
      });
      boxTimeline.push(state);
      key("ArrowRight");
    }
    const out = document.createElement("pre");
    out.id = "probe-result";
    out.textContent = JSON.stringify({errors: window.__errors, seen: seen, revealed: revealed,
      hiddenAtStart: hiddenAtStart, hiddenFills: hiddenFills, scale: scale,
      boxHiddenAtStart: boxHiddenAtStart, boxHiddenAtEnd: boxHiddenAtEnd,
      boxTimeline: boxTimeline,
      done: document.querySelectorAll(".bp-done").length,
      counter: document.querySelector(".bp-counter").textContent});
    document.body.appendChild(out);
  }, 3000);
});
</script>"""


def run_in_chromium(page: Path, tmp_path: Path) -> dict:
    html = page.read_text(encoding="utf-8")
    probed = tmp_path / f"probed-{page.name}"
    probed.write_text(html.replace("<head>", "<head>" + PROBE_HEAD, 1)
                      .replace("</body>", PROBE_TAIL + "</body>"), encoding="utf-8")
    done = subprocess.run(
        [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
         "--disable-background-networking", "--no-first-run", "--virtual-time-budget=10000",
         f"--user-data-dir={tmp_path / 'profile'}", "--dump-dom", probed.as_uri()],
        capture_output=True, text=True, timeout=90, check=False)
    match = re.search(r'<pre id="probe-result">(.*?)</pre>', done.stdout, re.S)
    assert match, f"the probe did not run; stderr:\n{done.stderr[-2000:]}"
    return json.loads(match.group(1).replace("&quot;", '"').replace("&amp;", "&"))


def check_widget(result: dict) -> None:
    assert result["errors"] == []
    first, after_next, after_next2, after_prev, after_right, after_left, after_play = \
        result["seen"]
    assert first and after_next and first != after_next != after_next2
    assert after_prev == after_next and after_right == after_next2 and after_left == after_next
    assert after_play != after_left and result["done"] > 0
    first_shown, next_shown = result["revealed"]
    assert 0 < first_shown < next_shown  # gradients appear as their steps run
    assert result["hiddenAtStart"] > 0  # later gradients are not given away at step 1
    # ... neither their text nor the colour of their cell (which tells their size)
    assert result["hiddenFills"] and set(result["hiddenFills"]) == {"rgb(255, 255, 255)"}
    assert result["scale"] > 0.99  # never shrunk below the drawn text size: wide graphs scroll


def test_step_through_page_in_chromium(neuron: Tensor, tmp_path: Path) -> None:
    page = viz.save_backprop(neuron, tmp_path / "backprop.html")
    result = run_in_chromium(page, tmp_path)
    check_widget(result)
    assert set(result["seen"][0].split(",")) == {"v9", "f9"}  # the output and its tanh first


def test_module_boxes_keep_their_gradients_until_their_last_step(tiny_model,
                                                                  tmp_path: Path) -> None:
    loss = (tiny_model(Tensor(np.ones((2, 3)))) ** 2).mean()
    page = viz.save_backprop(loss, tmp_path / "boxes.html", model=tiny_model, depth=2)
    result = run_in_chromium(page, tmp_path)
    check_widget(result)
    assert result["boxHiddenAtStart"] > 0 and result["boxHiddenAtEnd"] == 0
    timeline = result["boxTimeline"]
    for box in timeline[0]:
        current = [k for k, state in enumerate(timeline) if state[box][0]]
        assert current, box
        first, last = current[0], current[-1]
        assert first == last or timeline[first][box][1] > 0, box  # not at its first step
        assert timeline[last][box][1] == 0, box  # but at its last


def test_report_in_chromium(tiny_model, neuron: Tensor, tmp_path: Path) -> None:
    loss = (tiny_model(Tensor(np.ones((2, 3)))) ** 2).mean()
    page = viz.write_report(tmp_path / "out", reports={"toy": "accuracy 1.00"},
                            histories={"toy": {"loss": [1.0, 0.5]}}, model=tiny_model,
                            graph_root=loss, backprop_root=neuron)
    check_widget(run_in_chromium(page, tmp_path))
