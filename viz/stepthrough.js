// The backprop step-through: highlight one node per step and show its chain-rule arithmetic.
function backpropStepThrough(root) {
  "use strict";
  const steps = JSON.parse(root.querySelector("script.bp-steps").textContent);
  const panel = root.querySelector(".bp-panel");
  const counter = root.querySelector(".bp-counter");
  const play = root.querySelector(".bp-play");
  let current = 0;
  let timer = null;

  // Gradients are drawn on the graph but hidden until the step that computes them: a node's
  // "grad ..." cell, and the labels of the edges into an op (what it sends to each input).
  root.querySelectorAll(".bp-graph g.node text").forEach((el) => {
    if (el.textContent.startsWith("grad ")) { el.classList.add("bp-grad"); }
  });
  root.querySelectorAll(".bp-graph g.edge text").forEach((el) => el.classList.add("bp-grad"));
  function reveal(step) {
    nodes([step.value]).forEach((g) => {
      g.querySelectorAll(".bp-grad").forEach((el) => el.classList.add("bp-shown"));
    });
    if (!step.op) { return; }
    root.querySelectorAll(".bp-graph g.edge").forEach((g) => {
      const title = g.querySelector("title");
      if (title && title.textContent.endsWith("->" + step.op)) {
        g.querySelectorAll(".bp-grad").forEach((el) => el.classList.add("bp-shown"));
      }
    });
  }

  function nodes(ids) {
    return ids.map((id) => root.querySelector('.bp-graph g[id="' + id + '"]')).filter(Boolean);
  }
  function show(index) {
    current = Math.max(0, Math.min(steps.length - 1, index));
    root.querySelectorAll(".bp-current, .bp-done, .bp-shown").forEach((el) => {
      el.classList.remove("bp-current", "bp-done", "bp-shown");
    });
    for (let k = 0; k < current; k++) {
      nodes(steps[k].ids).forEach((el) => el.classList.add("bp-done"));
    }
    for (let k = 0; k <= current; k++) { reveal(steps[k]); }
    nodes(steps[current].ids).forEach((el) => el.classList.add("bp-current"));
    panel.innerHTML = steps[current].html;  // built and escaped by viz in Python
    counter.textContent = "step " + (current + 1) + " / " + steps.length;
  }
  function stop() {
    if (timer !== null) { clearInterval(timer); timer = null; }
    play.textContent = "Play";
  }
  function toggle() {
    if (timer !== null) { stop(); return; }
    if (current === steps.length - 1) { show(0); }
    play.textContent = "Pause";
    timer = setInterval(() => {
      if (current >= steps.length - 1) { stop(); } else { show(current + 1); }
    }, 1200);
  }
  root.querySelector(".bp-prev").addEventListener("click", () => { stop(); show(current - 1); });
  root.querySelector(".bp-next").addEventListener("click", () => { stop(); show(current + 1); });
  play.addEventListener("click", toggle);
  document.addEventListener("keydown", (event) => {
    if (event.target.closest && event.target.closest("input, textarea")) { return; }
    if (event.key === "ArrowLeft") { stop(); show(current - 1); }
    else if (event.key === "ArrowRight") { stop(); show(current + 1); }
    else { return; }
    event.preventDefault();
  });
  if (steps.length) { show(0); } else { panel.textContent = "Nothing to backpropagate."; }
}
