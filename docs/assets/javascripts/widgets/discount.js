// The discounting widget (the return page): a γ slider, the discounted return of the page's
// episodes, and the curve of weights γ^k. Every number is looked up in the JSON named by the
// container's data-src, which the build computes (figures/foundations.py, data_discounting);
// nothing is computed here. Markup in the page:
//   <div class="rlhf-widget" data-widget="discount" data-src="{{ data_discounting }}">fallback</div>
// The data is fetched only where such a container is. Material's document$ emits on the first
// load and after every instant navigation; without Material, DOMContentLoaded starts it once.
(() => {
  "use strict";
  const { SVG, make, mount } = window.rlhfWidgets; // widgets/common.js
  const START_GAMMA = 0.9; // the page's worked examples
  const W = 320, H = 190, LEFT = 40, RIGHT = 12, TOP = 14, BOTTOM = 40; // the curve's viewBox
  let count = 0;

  function nearest(gammas, value) {
    let best = 0;
    for (let i = 1; i < gammas.length; i++) {
      if (Math.abs(gammas[i] - value) < Math.abs(gammas[best] - value)) best = i;
    }
    return best;
  }

  function build(root, data) {
    const id = `rlhf-discount-${++count}`;
    const digits = data.decimals;
    const g = data.gamma;
    const show = (x) => x.toFixed(digits);
    root.replaceChildren();

    const controls = make("div", { class: "rlhf-widget__controls" });
    const label = make("label", { for: `${id}-gamma` }, "Discount factor γ");
    const step = Math.round((g[1] - g[0]) * 1e6) / 1e6;
    const slider = make("input", {
      type: "range", id: `${id}-gamma`, min: g[0], max: g[g.length - 1], step,
      value: g[nearest(g, START_GAMMA)],
    });
    const output = make("output", { for: `${id}-gamma`, class: "rlhf-widget__gamma" });
    controls.append(label, slider, output);

    const returns = make("table", { class: "rlhf-widget__returns" });
    const caption = make("caption");
    const head = make("thead");
    const headRow = make("tr");
    headRow.append(make("th", { scope: "col" }, "Episode"), make("th", { scope: "col" }, "G₀"));
    head.append(headRow);
    const body = make("tbody");
    const cells = {};
    for (const episode of data.episodes) {
      const row = make("tr", { "data-episode": episode.id });
      cells[episode.id] = make("td");
      row.append(make("th", { scope: "row" }, episode.label), cells[episode.id]);
      body.append(row);
    }
    returns.append(caption, head, body);

    const curve = make("figure", { class: "rlhf-widget__curve" });
    const svg = make("svg", { viewBox: `0 0 ${W} ${H}`, role: "img", "aria-labelledby": `${id}-title` }, "", SVG);
    const title = make("title", { id: `${id}-title` }, "", SVG);
    svg.append(title);
    const k = data.k, kMax = k[k.length - 1];
    const x = (i) => LEFT + (i / kMax) * (W - LEFT - RIGHT);
    const y = (w) => TOP + (1 - w) * (H - TOP - BOTTOM);
    for (const w of [0, 0.5, 1]) {
      svg.append(make("line", { class: "rlhf-widget__grid", x1: LEFT, x2: W - RIGHT, y1: y(w), y2: y(w) }, "", SVG));
      svg.append(make("text", { x: LEFT - 6, y: y(w) + 4, "text-anchor": "end" }, String(w), SVG));
    }
    for (const i of [0, kMax / 2, kMax]) {
      svg.append(make("text", { x: x(i), y: H - BOTTOM + 16, "text-anchor": "middle" }, String(i), SVG));
    }
    const axisTitle = { x: (LEFT + W - RIGHT) / 2, y: H - 6, "text-anchor": "middle" };
    svg.append(make("text", axisTitle, "k, steps until the reward", SVG));
    const line = make("polyline", { class: "rlhf-widget__line" }, "", SVG);
    svg.append(line);
    const dots = k.map((i) => make("circle", { class: "rlhf-widget__dot", cx: x(i), r: 3 }, "", SVG));
    svg.append(...dots);
    const figcaption = make("figcaption", {}, "The weight γᵏ of a reward k steps away.");
    const details = make("details");
    const weights = make("table", { class: "rlhf-widget__weights" });
    const weightsHead = make("tr");
    weightsHead.append(make("th", { scope: "col" }, "k"), make("th", { scope: "col" }, "γᵏ"));
    weights.append(make("thead"), make("tbody"));
    weights.tHead.append(weightsHead);
    const weightCells = k.map((i) => {
      const row = make("tr");
      const cell = make("td");
      row.append(make("th", { scope: "row" }, String(i)), cell);
      weights.tBodies[0].append(row);
      return cell;
    });
    details.append(make("summary", {}, "Show the weights as numbers"), weights);
    curve.append(svg, figcaption, details);

    const live = make("p", { class: "rlhf-widget__live", "aria-live": "polite", id: `${id}-live` });
    const panels = make("div", { class: "rlhf-widget__panels" });
    panels.append(returns, curve);
    root.append(controls, panels, live);

    let announce = 0;
    function update() {
      const i = nearest(g, Number(slider.value));
      const gamma = g[i].toFixed(2);
      output.textContent = `γ = ${gamma}`;
      slider.setAttribute("aria-valuetext", gamma);
      caption.textContent = `Return from the start at γ = ${gamma}`;
      const spoken = [];
      for (const episode of data.episodes) {
        const value = show(data.returns[episode.id][i]);
        cells[episode.id].textContent = value;
        spoken.push(`${episode.label}: ${value}`);
      }
      const w = data.weights[i];
      line.setAttribute("points", k.map((j) => `${x(j)},${y(w[j])}`).join(" "));
      dots.forEach((dot, j) => dot.setAttribute("cy", y(w[j])));
      weightCells.forEach((cell, j) => { cell.textContent = show(w[j]); });
      title.textContent = `Weights γᵏ for k = 0 to ${kMax} at γ = ${gamma}: ` +
        `${show(w[0])} at k = 0 down to ${show(w[kMax])} at k = ${kMax}.`;
      // Announce once the slider rests, not at every step of a drag.
      clearTimeout(announce);
      announce = setTimeout(() => { live.textContent = `γ = ${gamma}. Returns: ${spoken.join("; ")}.`; }, 400);
    }
    slider.addEventListener("input", update);
    update();
    root.dataset.ready = "true";
  }

  mount("discount", build);
})();
