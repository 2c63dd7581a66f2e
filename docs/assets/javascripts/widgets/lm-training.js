// The tiny LM's training, scrubbed (the language-model page): a slider over the REINFORCE updates
// of the page's run, the next-token distribution after the page's prompt after that update, and
// the update's mean reward on a small copy of the reward curve. Every number is looked up in the
// JSON named by the container's data-src, which the build computes from the same memoised run as
// the page's figures (figures/lm.py, data_lm_training); nothing is computed here. Markup:
//   <div class="rlhf-widget" data-widget="lm-training" data-src="{{ data_lm_training }}">fallback</div>
// The data is fetched only where such a container is. Material's document$ emits on the first
// load and after every instant navigation; without Material, DOMContentLoaded starts it once.
(() => {
  "use strict";
  const { SVG, make, mount } = window.rlhfWidgets; // widgets/common.js
  const W = 320, H = 150, LEFT = 34, RIGHT = 10, TOP = 10, BOTTOM = 36; // the curve's viewBox
  let count = 0;

  function build(root, data) {
    const id = `rlhf-lm-training-${++count}`;
    const show = (x) => x.toFixed(data.decimals);
    const last = data.steps.length - 1;
    const rewards = data.mean_rewards;
    const kind = new Set(data.kind), unkind = new Set(data.unkind);
    root.replaceChildren();

    const controls = make("div", { class: "rlhf-widget__controls" });
    const label = make("label", { for: `${id}-update` }, "REINFORCE update");
    const slider = make("input", { type: "range", id: `${id}-update`, min: 0, max: last, step: 1, value: 0 });
    const output = make("output", { for: `${id}-update`, class: "rlhf-widget__gamma" });
    controls.append(label, slider, output);

    const table = make("table", { class: "rlhf-widget__dist" });
    const caption = make("caption");
    const headRow = make("tr");
    headRow.append(make("th", { scope: "col" }, "Next token"), make("th", { scope: "col" }, "Probability"));
    table.append(caption, make("thead"), make("tbody"));
    table.tHead.append(headRow);
    const rows = [];
    for (let i = 0; i <= data.steps[0].tokens.length; i++) {
      const row = make("tr");
      const name = make("th", { scope: "row" });
      const cell = make("td", { class: "rlhf-widget__barcell" });
      const track = make("span", { class: "rlhf-widget__track", "aria-hidden": "true" });
      const bar = make("span", { class: "rlhf-widget__bar" });
      const value = make("span", { class: "rlhf-widget__p" });
      track.append(bar);
      cell.append(value, track);
      row.append(name, cell);
      table.tBodies[0].append(row);
      rows.push({ row, name, value, bar });
    }
    const legend = make("p", { class: "rlhf-widget__note" },
      "✓ a kind word, ✗ an unkind word (the stand-in reward model's lists).");

    const curve = make("figure", { class: "rlhf-widget__curve" });
    const reward = make("p", { class: "rlhf-widget__reward" });
    const svg = make("svg", { viewBox: `0 0 ${W} ${H}`, role: "img", "aria-labelledby": `${id}-title` }, "", SVG);
    const title = make("title", { id: `${id}-title` }, "", SVG);
    svg.append(title);
    const n = rewards.length;
    const x = (u) => LEFT + (u / n) * (W - LEFT - RIGHT);
    const y = (r) => TOP + (1 - r) * (H - TOP - BOTTOM);
    for (const r of [0, 0.5, 1]) {
      svg.append(make("line", { class: "rlhf-widget__grid", x1: LEFT, x2: W - RIGHT, y1: y(r), y2: y(r) }, "", SVG));
      svg.append(make("text", { x: LEFT - 5, y: y(r) + 4, "text-anchor": "end" }, String(r), SVG));
    }
    for (const u of [0, n / 2, n]) {
      svg.append(make("text", { x: x(u), y: H - BOTTOM + 15, "text-anchor": "middle" }, String(u), SVG));
    }
    svg.append(make("text", { x: (LEFT + W - RIGHT) / 2, y: H - 5, "text-anchor": "middle" }, "update", SVG));
    svg.append(make("polyline", {
      class: "rlhf-widget__line", points: rewards.map((r, i) => `${x(i + 1)},${y(r)}`).join(" "),
    }, "", SVG));
    const cursor = make("line", { class: "rlhf-widget__cursor", y1: TOP, y2: H - BOTTOM }, "", SVG);
    const dot = make("circle", { class: "rlhf-widget__dot", r: 4 }, "", SVG);
    svg.append(cursor, dot);
    curve.append(reward, svg, make("figcaption", {}, `Mean reward of each update's ${data.responses_per_update} ` +
      "responses (seed " + data.seed + "), as in the figure above."));

    const live = make("p", { class: "rlhf-widget__live", "aria-live": "polite" });
    const panels = make("div", { class: "rlhf-widget__panels" });
    const left = make("div");
    left.append(table, legend);
    panels.append(left, curve);
    root.append(controls, panels, live);

    let announce = 0;
    function update() {
      const u = Math.max(0, Math.min(last, Math.round(Number(slider.value))));
      const step = data.steps[u];
      const when = u === 0 ? "the pretrained model" : `after update ${u}`;
      output.textContent = u === 0 ? "0 (pretrained)" : `${u} of ${last}`;
      slider.setAttribute("aria-valuetext", u === 0 ? "0, the pretrained model" : `update ${u} of ${last}`);
      caption.textContent = `π(next token | "${data.prompt}"), ${when}`;
      const names = [...step.tokens.map((t) => `"${t}"`), "other"];
      const probs = [...step.p, step.other];
      rows.forEach((r, i) => {
        const token = step.tokens[i];
        const mark = kind.has(token) ? " ✓" : unkind.has(token) ? " ✗" : "";
        r.name.textContent = names[i] + mark;
        r.row.className = kind.has(token) ? "rlhf-widget--kind" : unkind.has(token) ? "rlhf-widget--unkind" : "";
        r.value.textContent = show(probs[i]);
        r.bar.style.width = `${(100 * probs[i]).toFixed(1)}%`;
      });
      let said;
      if (u === 0) {
        reward.textContent = `No update yet: update 1 scores this model's responses (mean reward ${show(rewards[0])}).`;
        said = `mean reward of update 1's responses ${show(rewards[0])}`;
        cursor.setAttribute("visibility", "hidden");
        dot.setAttribute("visibility", "hidden");
      } else {
        reward.textContent = `Mean reward of update ${u}'s responses: ${show(rewards[u - 1])}`;
        said = `mean reward ${show(rewards[u - 1])}`;
        for (const el of [cursor, dot]) el.removeAttribute("visibility");
        cursor.setAttribute("x1", x(u));
        cursor.setAttribute("x2", x(u));
        dot.setAttribute("cx", x(u));
        dot.setAttribute("cy", y(rewards[u - 1]));
      }
      title.textContent = `Mean reward per update, from ${show(rewards[0])} at update 1 to ` +
        `${show(rewards[n - 1])} at update ${n}` + (u ? `; update ${u}: ${show(rewards[u - 1])}.` : ".");
      // Announce once the slider rests, not at every step of a drag.
      clearTimeout(announce);
      announce = setTimeout(() => {
        live.textContent = `${when[0].toUpperCase()}${when.slice(1)}: most likely "${step.tokens[0]}" ` +
          `${show(step.p[0])}; ${said}.`;
      }, 400);
    }
    slider.addEventListener("input", update);
    update();
    root.dataset.ready = "true";
  }

  mount("lm-training", build);
})();
