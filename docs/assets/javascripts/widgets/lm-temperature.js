// The temperature of sampling (why-q-learning-breaks-down.md): a slider over the temperature T from
// 0 to 2, and what the pretrained tiny LM does at that T when asked to continue "the sea": the
// first token's distribution softmax(logits / T) (all of it on the argmax at T = 0), its entropy,
// five responses drawn with seeds 0 to 4 (the table above shows T = 0 and 0.7 of them), and how
// many of a batch of responses are distinct. Every number is looked up in the JSON named by the
// container's data-src (figures/lm.py, data_lm_temperature); nothing is computed here. Markup:
//   <div class="rlhf-widget" data-widget="lm-temperature" data-src="{{ data_lm_temperature }}">fallback</div>
(() => {
  "use strict";
  const { make, mount } = window.rlhfWidgets; // widgets/common.js
  let count = 0;

  function build(root, data) {
    const id = `rlhf-lm-temperature-${++count}`;
    const show = (x) => x.toFixed(data.decimals);
    const last = data.steps.length - 1;
    root.replaceChildren();

    const controls = make("div", { class: "rlhf-widget__controls" });
    const label = make("label", { for: `${id}-t` }, "Temperature");
    const slider = make("input", { type: "range", id: `${id}-t`, min: 0, max: last, step: 1, value: 0 });
    const output = make("output", { for: `${id}-t`, class: "rlhf-widget__gamma" });
    controls.append(label, slider, output);

    const table = make("table", { class: "rlhf-widget__dist" });
    const caption = make("caption");
    const headRow = make("tr");
    headRow.append(make("th", { scope: "col" }, "First token"), make("th", { scope: "col" }, "Probability"));
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
      rows.push({ name, value, bar });
    }
    const entropy = make("p", { class: "rlhf-widget__note rlhf-widget__entropy" });

    const right = make("div", { class: "rlhf-widget__draws" });
    const drawsTitle = make("p", { class: "rlhf-widget__reward" });
    const list = make("ol", { class: "rlhf-widget__responses" });
    const distinct = make("p", { class: "rlhf-widget__note rlhf-widget__distinct" });
    right.append(drawsTitle, list, distinct);

    const live = make("p", { class: "rlhf-widget__live", "aria-live": "polite" });
    const panels = make("div", { class: "rlhf-widget__panels" });
    const left = make("div");
    left.append(table, entropy);
    panels.append(left, right);
    root.append(controls, panels, live);

    let announce = 0;
    function update() {
      const k = Math.max(0, Math.min(last, Math.round(Number(slider.value))));
      const step = data.steps[k];
      const t = step.temperature.toFixed(1);
      output.textContent = k === 0 ? "0 (argmax)" : t;
      slider.setAttribute("aria-valuetext", k === 0 ? "0, the argmax" : `temperature ${t}`);
      caption.textContent = `π_T(first token | "${data.prompt}"), T = ${t}`;
      const names = [...step.tokens.map((x) => `"${x}"`), "other"];
      const probs = [...step.p, step.other];
      rows.forEach((r, i) => {
        r.name.textContent = names[i];
        r.value.textContent = show(probs[i]);
        r.bar.style.width = `${(100 * probs[i]).toFixed(1)}%`;
      });
      entropy.textContent = `Entropy of this distribution: ${show(step.entropy_bits)} bits ` +
        `(${Math.log2(data.vocab_size).toFixed(2)} bits if all ${data.vocab_size} tokens were equally likely).`;
      drawsTitle.textContent = `"${data.prompt} …", ${step.draws.length} draws (seeds 0 to ${step.draws.length - 1})`;
      list.replaceChildren(...step.draws.map((d) => make("li", {}, `${data.prompt} ${d}`)));
      distinct.textContent = `${step.distinct} distinct responses in ${data.count} draws.`;
      clearTimeout(announce);
      announce = setTimeout(() => {
        live.textContent = `Temperature ${t}: "${step.tokens[0]}" ${show(step.p[0])}; ` +
          `${step.distinct} distinct responses in ${data.count}.`;
      }, 400);
    }
    slider.addEventListener("input", update);
    update();
    root.dataset.ready = "true";
  }

  mount("lm-temperature", build);
})();
