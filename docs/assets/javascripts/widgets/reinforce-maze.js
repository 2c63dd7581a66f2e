// The REINFORCE-in-the-maze widget (the policy-gradient page): a slider over every update of the
// run the learning curve shows, drawing π(a|s) in each cell of the maze as four arrows, with the
// returns of the episodes that update learned from. Every number comes from the JSON named by the
// container's data-src (figures/policy_gradient_runs.py, data_reinforce_maze_policy), recorded
// during the memoised training run; nothing is computed here but the drawing. Markup in the page:
//   <div class="rlhf-widget" data-widget="reinforce-maze" data-src="{{ data_reinforce_maze_policy }}">…</div>
// Material's document$ emits on the first load and after every instant navigation; without
// Material, DOMContentLoaded starts it once.
(() => {
  "use strict";
  const { SVG, make, mount } = window.rlhfWidgets; // widgets/common.js
  const CELL = 60, REACH = 26; // a cell's side in the maze's viewBox; the length of a p = 1 arrow
  const DIRS = [[0, -1], [0, 1], [-1, 0], [1, 0]]; // up, down, left, right as (dx, dy)
  const W = 320, H = 120, LEFT = 40, RIGHT = 10, TOP = 10, BOTTOM = 30; // the returns chart
  let count = 0;

  const svg = (tag, attrs = {}, text = "") => make(tag, attrs, text, SVG);

  function build(root, data) {
    const id = `rlhf-reinforce-maze-${++count}`;
    const n = data.policies.length, batch = data.batch_episodes, names = data.actions;
    const rows = data.layout.length, cols = data.layout[0].length;
    const show = (p) => p.toFixed(data.decimals);
    const signed = (x, d) => (x < 0 ? "−" : "") + Math.abs(x).toFixed(d);
    root.replaceChildren();

    const controls = make("div", { class: "rlhf-widget__controls" });
    const label = make("label", { for: `${id}-update` }, "Update");
    const slider = make("input", { type: "range", id: `${id}-update`, min: 1, max: n, step: 1, value: 1 });
    const output = make("output", { for: `${id}-update`, class: "rlhf-widget__gamma" });
    const prev = make("button", { type: "button", class: "md-button" }, "Previous");
    const next = make("button", { type: "button", class: "md-button" }, "Next");
    controls.append(label, slider, output, prev, next);

    // The maze: one group per cell, its name the four probabilities.
    const maze = make("figure", { class: "rlhf-widget__curve rlhf-pgmaze" });
    const grid = svg("svg", { viewBox: `0 0 ${cols * CELL} ${rows * CELL}`, role: "group" });
    const cells = [];
    data.layout.forEach((line, r) => [...line].forEach((ch, c) => {
      const s = r * cols + c, x = c * CELL, y = r * CELL, cx = x + CELL / 2, cy = y + CELL / 2;
      const kind = ch === "#" ? "wall" : ch === "G" ? "goal" : "free";
      const g = svg("g", { class: `rlhf-pgmaze__${kind}`, "data-state": s });
      g.append(svg("rect", { x, y, width: CELL, height: CELL }));
      if (kind === "free") {
        const title = svg("title");
        g.setAttribute("role", "img");
        g.append(title);
        const arrows = DIRS.map(() => svg("line", { x1: cx, y1: cy, x2: cx, y2: cy }));
        g.append(...arrows, svg("circle", { cx, cy, r: 2 }));
        if (ch === "S") g.append(svg("text", { x: x + 4, y: y + 13 }, "S"));
        cells.push({ s, r, c, cx, cy, g, title, arrows, start: ch === "S" });
      } else {
        g.setAttribute("aria-hidden", "true");
        if (kind === "goal") g.append(svg("text", { x: cx, y: cy + 5, "text-anchor": "middle" }, "G"));
      }
      grid.append(g);
    }));
    const mazeCaption = make("figcaption", {}, "π(a|s): each arrow's length is the probability of that move.");
    const details = make("details");
    const table = make("table", { class: "rlhf-widget__weights" });
    const headRow = make("tr");
    headRow.append(make("th", { scope: "col" }, "cell (row, col)"), ...names.map((a) => make("th", { scope: "col" }, a)));
    table.append(make("thead"), make("tbody"));
    table.tHead.append(headRow);
    for (const cell of cells) {
      const row = make("tr", { "data-state": cell.s });
      cell.tds = names.map(() => make("td"));
      row.append(make("th", { scope: "row" }, `(${cell.r}, ${cell.c})${cell.start ? " S" : ""}`), ...cell.tds);
      table.tBodies[0].append(row);
    }
    details.append(make("summary", {}, "Show the probabilities as numbers"), table);
    maze.append(grid, mazeCaption, details);

    // The returns: the mean of each update's batch over the run, and the chosen update's episodes.
    const side = make("div");
    const chart = make("figure", { class: "rlhf-widget__curve" });
    const plot = svg("svg", { viewBox: `0 0 ${W} ${H}`, role: "img", "aria-labelledby": `${id}-title` });
    const plotTitle = svg("title", { id: `${id}-title` });
    plot.append(plotTitle);
    const lo = Math.min(...data.mean_returns, 0), hi = 1;
    const px = (u) => LEFT + (u / (n - 1)) * (W - LEFT - RIGHT);
    const py = (v) => TOP + ((hi - v) / (hi - lo)) * (H - TOP - BOTTOM);
    for (const v of [Math.ceil(lo), 0]) {
      plot.append(svg("line", { class: "rlhf-widget__grid", x1: LEFT, x2: W - RIGHT, y1: py(v), y2: py(v) }));
      plot.append(svg("text", { x: LEFT - 6, y: py(v) + 4, "text-anchor": "end" }, signed(v, 0)));
    }
    for (const u of [1, n / 2, n]) plot.append(svg("text", { x: px(u - 1), y: H - BOTTOM + 14, "text-anchor": "middle" }, String(u)));
    plot.append(svg("text", { x: (LEFT + W - RIGHT) / 2, y: H - 4, "text-anchor": "middle" }, "update"));
    const points = data.mean_returns.map((v, u) => `${px(u)},${py(v)}`).join(" ");
    plot.append(svg("polyline", { class: "rlhf-widget__line", points }));
    const marker = svg("circle", { class: "rlhf-widget__dot", r: 4 });
    plot.append(marker);
    chart.append(plot, make("figcaption", {}, `Mean return of the ${batch} episodes each update learned from.`));
    const stats = make("dl", { class: "rlhf-pgmaze__stats" });
    const dd = {};
    for (const [key, term] of [["episodes", "Episodes"], ["returns", "Their returns"], ["mean", "Mean return"], ["running", "Running reward"]]) {
      dd[key] = make("dd");
      stats.append(make("dt", {}, term), dd[key]);
    }
    side.append(stats, chart);

    const live = make("p", { class: "rlhf-widget__live", "aria-live": "polite" });
    const panels = make("div", { class: "rlhf-widget__panels" });
    panels.append(maze, side);
    root.append(controls, panels, live);

    let announce = 0;
    function update() {
      const u = Math.min(n, Math.max(1, Math.round(Number(slider.value)))) - 1;
      const policy = data.policies[u];
      output.textContent = `${u + 1} of ${n}`;
      slider.setAttribute("aria-valuetext", `update ${u + 1} of ${n}`);
      prev.disabled = u === 0;
      next.disabled = u === n - 1;
      grid.setAttribute("aria-label", `The maze's policy after update ${u + 1}`);
      for (const cell of cells) {
        const p = policy[cell.s];
        const best = p.indexOf(Math.max(...p));
        cell.arrows.forEach((line, a) => {
          line.setAttribute("x2", cell.cx + DIRS[a][0] * REACH * p[a]);
          line.setAttribute("y2", cell.cy + DIRS[a][1] * REACH * p[a]);
          line.setAttribute("class", a === best ? "rlhf-pgmaze__best" : "");
        });
        const text = `cell (${cell.r}, ${cell.c})${cell.start ? ", the start" : ""}: ` +
          names.map((a, i) => `${a} ${show(p[i])}`).join(", ");
        cell.title.textContent = text;
        cell.g.setAttribute("aria-label", text);
        cell.tds.forEach((td, i) => { td.textContent = show(p[i]); });
      }
      const first = u * batch + 1;
      dd.episodes.textContent = `${first}–${first + batch - 1}`;
      dd.returns.textContent = data.returns[u].map((r) => signed(r, 2)).join(", ");
      dd.mean.textContent = signed(data.mean_returns[u], 3);
      dd.running.textContent = signed(data.running[u], 3);
      marker.setAttribute("cx", px(u));
      marker.setAttribute("cy", py(data.mean_returns[u]));
      plotTitle.textContent = `Mean return per update, from ${signed(data.mean_returns[0], 3)} at update 1 ` +
        `to ${signed(data.mean_returns[n - 1], 3)} at update ${n}; update ${u + 1}: ${signed(data.mean_returns[u], 3)}.`;
      const start = cells.find((cell) => cell.start);
      const sp = policy[start.s];
      clearTimeout(announce);
      announce = setTimeout(() => {
        live.textContent = `Update ${u + 1}: mean return ${signed(data.mean_returns[u], 3)}; at the start, ` +
          names.map((a, i) => `${a} ${show(sp[i])}`).join(", ") + ".";
      }, 400);
    }
    const go = (step) => { slider.value = Number(slider.value) + step; update(); };
    slider.addEventListener("input", update);
    prev.addEventListener("click", () => go(-1));
    next.addEventListener("click", () => go(1));
    update();
    root.dataset.ready = "true";
  }

  mount("reinforce-maze", build);
})();
