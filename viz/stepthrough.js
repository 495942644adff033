// The backprop step-through: highlight one node per step and show its chain-rule arithmetic.
function backpropStepThrough(root) {
  "use strict";
  const steps = JSON.parse(root.querySelector("script.bp-steps").textContent);
  const panel = root.querySelector(".bp-panel");
  const counter = root.querySelector(".bp-counter");
  const play = root.querySelector(".bp-play");
  let current = 0;
  let timer = null;

  const graphBox = root.querySelector(".bp-graph");
  const svg = graphBox.querySelector("svg");

  // Gradients are drawn on the graph but hidden until the step that computes them: a node's
  // "grad ..." cell and a module box's "|g| ..." rows (the text and its colour, the cell's
  // background drawn just before it), and the labels of the edges into an op (what it sends
  // to each input). A module box stands for several steps (its ops and parameters): its
  // gradients show once the last of them has run.
  const lastStep = {};
  steps.forEach((step, k) => { lastStep[step.value] = k; });
  root.querySelectorAll(".bp-graph g.node text").forEach((el) => {
    if (!/^(grad |\|g\| )/.test(el.textContent)) { return; }
    el.classList.add("bp-grad");
    for (let prev = el.previousElementSibling; prev; prev = prev.previousElementSibling) {
      if (prev.tagName === "polygon" && prev.getAttribute("fill") !== "none") {
        prev.classList.add("bp-grad", "bp-grad-fill");
        break;
      }
    }
  });
  root.querySelectorAll(".bp-graph g.edge text").forEach((el) => el.classList.add("bp-grad"));
  function reveal(step, k) {
    nodes(lastStep[step.value] === k ? [step.value] : []).forEach((g) => {
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

  // Scale: fit the width, but never below the size the text was drawn at (readable when
  // projected; wider graphs scroll) nor above 1.6x; the buttons zoom from there.
  const natural = svg ? [svg.width.baseVal.value, svg.height.baseVal.value] : [0, 0];
  const MIN_FIT = 1.0, MAX_FIT = 1.6;
  let scale = 1;
  function zoom(factor) {
    if (!svg || !natural[0]) { return; }
    scale = Math.max(0.2, Math.min(4, factor));
    svg.style.width = natural[0] * scale + "px";
    svg.style.height = natural[1] * scale + "px";
  }
  function fitWidth() { return (graphBox.clientWidth - 4) / (natural[0] || 1); }
  zoom(Math.max(MIN_FIT, Math.min(MAX_FIT, fitWidth())));
  root.querySelector(".bp-zoom-in").addEventListener("click", () => zoom(scale * 1.25));
  root.querySelector(".bp-zoom-out").addEventListener("click", () => zoom(scale / 1.25));
  root.querySelector(".bp-zoom-fit").addEventListener("click", () => zoom(fitWidth()));
  function keepInView(el) {  // scroll a big graph (inside its box only) to the current node
    const box = el.getBoundingClientRect(), view = graphBox.getBoundingClientRect();
    if (box.left < view.left || box.right > view.right) {
      graphBox.scrollLeft += box.left - view.left - (view.width - box.width) / 2;
    }
    // vertically: centre it in the part of the box that is inside the window
    const top = Math.max(view.top, 0), bottom = Math.min(view.bottom, window.innerHeight);
    if (bottom - top > box.height && (box.top < top || box.bottom > bottom)) {
      graphBox.scrollTop += box.top - top - (bottom - top - box.height) / 2;
    }
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
    for (let k = 0; k <= current; k++) { reveal(steps[k], k); }
    nodes(steps[current].ids).forEach((el) => el.classList.add("bp-current"));
    nodes(steps[current].ids).slice(0, 1).forEach(keepInView);
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
