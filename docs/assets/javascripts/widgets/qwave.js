// The Q-learning wave, scrubbed (the Q-function page): a slider over the episodes, 0 to 1000, of
// the run the static wave figure draws, showing max_a Q and the greedy arrow of every cell after
// the chosen episode, and that episode's return. Every number is looked up in the JSON named by the
// container's data-src (figures/value_learning.py, data_q_learning_wave); nothing is computed here.
// Markup in the page:
//   <div class="rlhf-widget" data-widget="q-wave" data-src="{{ data_q_learning_wave }}">fallback</div>
// The data is fetched only where such a container is. Material's document$ emits on the first
// load and after every instant navigation; without Material, DOMContentLoaded starts it once.
(() => {
  "use strict";
  const { make, mount } = window.rlhfWidgets; // widgets/common.js
  const ARROWS = "↑↓←→"; // UP, DOWN, LEFT, RIGHT: the action numbers of snippets/gridworld.py
  const START_EPISODE = 10;
  let count = 0;

  function build(root, data) {
    const id = `rlhf-qwave-${++count}`;
    const n = data.v.length - 1, cols = data.cols;
    const walls = new Set(data.walls);
    const show = (x) => (x === 0 ? 0 : x).toFixed(data.decimals); // as fmt in figures/value_learning.py
    root.replaceChildren();

    const controls = make("div", { class: "rlhf-widget__controls" });
    const label = make("label", { for: `${id}-episode` }, "Episode");
    const slider = make("input", { type: "range", id: `${id}-episode`, min: 0, max: n, step: 1, value: START_EPISODE });
    const output = make("output", { for: `${id}-episode`, class: "rlhf-widget__gamma rlhf-qwave__episode" });
    controls.append(label, slider, output);

    const jumps = make("div", { class: "rlhf-qwave__jumps", role: "group", "aria-labelledby": `${id}-jumps` });
    jumps.append(make("span", { id: `${id}-jumps` }, "Go to episode"));
    for (const e of [0, ...data.marked]) {
      const button = make("button", { type: "button", class: "rlhf-qwave__jump" }, String(e));
      button.addEventListener("click", () => { slider.value = e; update(); });
      jumps.append(button);
    }

    const heading = make("p", { class: "rlhf-qwave__heading", id: `${id}-heading` });
    const board = make("div", { class: "rlhf-qwave__grid", role: "group", "aria-labelledby": `${id}-heading` });
    board.style.gridTemplateColumns = `repeat(${cols}, minmax(0, 1fr))`;
    const cells = data.v[0].map((_, s) => {
      const kind = walls.has(s) ? "wall" : s === data.goal ? "goal" : s === data.start ? "start" : "open";
      const cell = make("div", { class: `rlhf-qwave__cell rlhf-qwave__cell--${kind}`, role: "img", "data-state": s });
      if (kind === "goal") cell.append(make("span", { class: "rlhf-qwave__goal" }, "G"));
      if (kind === "open" || kind === "start") {
        cell.append(make("span", { class: "rlhf-qwave__value" }), make("span", { class: "rlhf-qwave__arrow" }),
          make("span", { class: "rlhf-qwave__bar" }));
      }
      return { cell, kind, where: `row ${Math.floor(s / cols)}, column ${s % cols}` };
    });
    board.append(...cells.map((c) => c.cell));

    const episodeInfo = make("p", { class: "rlhf-qwave__return" });
    const live = make("p", { class: "rlhf-widget__live", "aria-live": "polite" });
    root.append(controls, jumps, heading, board, episodeInfo, live);

    let announce = 0;
    function update() {
      const e = Math.min(n, Math.max(0, Math.round(Number(slider.value))));
      const v = data.v[e], greedy = data.greedy[e];
      const when = e === 0 ? "before any episode" : `after episode ${e}`;
      output.textContent = e === 0 ? "0 (none yet)" : `${e} of ${n}`;
      slider.setAttribute("aria-valuetext", when);
      heading.textContent = `maxₐ Q(s, a) and the greedy action of each cell, ${when}`;
      for (const [s, { cell, kind, where }] of cells.entries()) {
        if (kind === "wall" || kind === "goal") {
          cell.setAttribute("aria-label", `${where}: ${kind}`);
          continue;
        }
        const [value, arrow, bar] = cell.children;
        value.textContent = show(v[s]);
        arrow.textContent = ARROWS[greedy[s]];
        bar.style.width = `${Math.max(0, Math.min(1, v[s])) * 100}%`;
        cell.dataset.greedy = greedy[s];
        const start = kind === "start" ? " (start)" : "";
        cell.setAttribute("aria-label", `${where}${start}: max Q ${show(v[s])}, greedy ${data.actions[greedy[s]]}`);
      }
      let said;
      if (e === 0) {
        episodeInfo.textContent = said = "Before any episode: Q is 0 everywhere, so every tie goes to up.";
      } else {
        const r = data.returns[e - 1], steps = data.lengths[e - 1];
        episodeInfo.replaceChildren(`Episode ${e}: return `, make("strong", { class: "rlhf-qwave__g" }, show(r)),
          ` in ${steps} step${steps === 1 ? "" : "s"}.`);
        said = `Episode ${e}: return ${show(r)} in ${steps} steps.`;
      }
      clearTimeout(announce);
      announce = setTimeout(() => {
        live.textContent = `${said} Start cell, ${when}: max Q ${show(v[data.start])}, greedy ` +
          `${data.actions[greedy[data.start]]}.`;
      }, 400);
    }
    slider.addEventListener("input", update);
    update();
    root.dataset.ready = "true";
  }

  mount("q-wave", build);
})();
