// The maze editor on the Q-function page (a .maze-widget element; on any other page this script
// only defines window.rlhfMaze). valueIteration is a port of snippets/bellman.py's value_iteration,
// on the transition rules of snippets/gridworld.py's GridWorld; tests/test_maze_widget.py checks it
// against the Python on random layouts.
(() => {
  "use strict";
  const MOVES = [[-1, 0], [1, 0], [0, -1], [0, 1]]; // UP, DOWN, LEFT, RIGHT, as in gridworld.py
  const NAMES = ["up", "down", "left", "right"];
  const ARROWS = ["↑", "↓", "←", "→"];
  const MAX_SWEEPS = 10000;

  function checkLayout(layout) {
    const ok = Array.isArray(layout) && layout.length > 0 && layout.every(
      (row) => typeof row === "string" && row.length === layout[0].length && /^[SG#.]+$/.test(row));
    const count = (ch) => layout.join("").split(ch).length - 1;
    if (!ok || count("S") !== 1 || count("G") !== 1) {
      throw new Error("layout: equal-length rows of S, G, # and ., with one S and one G");
    }
  }

  // GridWorld._build_transitions, then mdp_arrays: R[s*4+a] is the reward, next[s*4+a] the next
  // state, or -1 when the move ends the episode (a terminal transition does not bootstrap).
  // The goal and the walls are absorbing: reward 0, terminal.
  function model(layout, { stepReward = -0.01, goalReward = 1, wallReward = -1 } = {}) {
    checkLayout(layout);
    const rows = layout.length, cols = layout[0].length, n = rows * cols;
    const R = new Float64Array(n * 4), next = new Int32Array(n * 4).fill(-1);
    for (let s = 0; s < n; s++) {
      const row = Math.floor(s / cols), col = s % cols;
      if ("G#".includes(layout[row][col])) continue;
      for (let a = 0; a < 4; a++) {
        const r = row + MOVES[a][0], c = col + MOVES[a][1], i = s * 4 + a;
        const there = r >= 0 && r < rows && c >= 0 && c < cols ? layout[r][c] : "#";
        if (there === "#") [R[i], next[i]] = [wallReward, s]; // a bump: stay put, and pay
        else if (there === "G") R[i] = goalReward;
        else [R[i], next[i]] = [stepReward, r * cols + c];
      }
    }
    return { rows, cols, n, R, next };
  }

  // max_a Q(s, a) for every s, and the greedy action: the first maximum, as numpy's argmax.
  const maxQ = (q, n) => Array.from({ length: n }, (_, s) => Math.max(...q.slice(s * 4, s * 4 + 4)));
  const greedy = (q, s) => {
    let best = 0;
    for (let a = 1; a < 4; a++) if (q[s * 4 + a] > q[s * 4 + best]) best = a;
    return best;
  };

  // One synchronous sweep, new_q = R + γ T @ max_a q; returns the new q and the largest change.
  function sweep(m, q, gamma) {
    const v = maxQ(q, m.n), out = new Float64Array(q.length);
    let change = 0;
    for (let i = 0; i < q.length; i++) {
      out[i] = m.R[i] + (m.next[i] < 0 ? 0 : gamma * v[m.next[i]]);
      change = Math.max(change, Math.abs(out[i] - q[i]));
    }
    return { q: out, change };
  }

  // value_iteration: from Q = 0, sweep until no entry changes by tol or more, at most maxSweeps.
  // Python raises when it does not converge; this returns converged: false and the last values.
  function valueIteration(layout, opts = {}) {
    const { gamma = 1, tol = 1e-10, maxSweeps = MAX_SWEEPS } = opts;
    if (!(gamma >= 0 && gamma <= 1)) throw new RangeError("gamma must be in [0, 1]");
    if (!(tol > 0) || !Number.isInteger(maxSweeps) || maxSweeps < 1) throw new RangeError("tol > 0, maxSweeps >= 1");
    const m = model(layout, opts);
    let q = new Float64Array(m.n * 4), change = Infinity, sweeps = 0;
    while (sweeps < maxSweeps && !(change < tol)) ({ q, change } = sweep(m, q, gamma)), sweeps++;
    const rows = Array.from({ length: m.n }, (_, s) => Array.from(q.slice(s * 4, s * 4 + 4)));
    const greedyActions = rows.map((_, s) => greedy(q, s));
    return { q: rows, v: maxQ(q, m.n), greedy: greedyActions, sweeps, converged: change < tol, change };
  }

  // The cells the goal can be reached from (a breadth-first search from G, through non-walls).
  function reachable(layout) {
    const rows = layout.length, cols = layout[0].length, seen = new Set();
    const goal = layout.join("").indexOf("G"), queue = [goal];
    seen.add(goal);
    while (queue.length) {
      const s = queue.shift(), row = Math.floor(s / cols), col = s % cols;
      for (const [dr, dc] of MOVES) {
        const r = row + dr, c = col + dc;
        if (r >= 0 && r < rows && c >= 0 && c < cols && layout[r][c] !== "#" && !seen.has(r * cols + c)) {
          seen.add(r * cols + c);
          queue.push(r * cols + c);
        }
      }
    }
    return seen;
  }

  window.rlhfMaze = { valueIteration, reachable, model, MAX_SWEEPS };

  // --- The widget ------------------------------------------------------------------------------

  const h = (tag, props = {}, ...children) => {
    const el = Object.assign(document.createElement(tag), props);
    el.append(...children);
    return el;
  };
  const fmt = (x) => (x.toFixed(2) === "-0.00" ? "0.00" : x.toFixed(2));
  const where = (s, cols) => `(${Math.floor(s / cols)}, ${s % cols})`;
  const KIND = { "#": "wall", S: "start", G: "goal", ".": "free" };

  function setup(root, n) {
    const initial = root.dataset.layout.split("|");
    const goalReward = Number(root.dataset.goalReward);
    let grid = initial.map((row) => [...row]), q = null, sweeps = 0, path = new Set();
    const rows = grid.length, cols = grid[0].length, id = `maze-${n}`;
    const layout = () => grid.map((row) => row.join(""));

    const modes = ["wall", "start", "goal"].map((value, i) => {
      const input = h("input", { type: "radio", name: `${id}-mode`, value, id: `${id}-${value}`, checked: i === 0 });
      return h("label", { htmlFor: input.id }, input, ["Toggle a wall", "Move the start", "Move the goal"][i]);
    });
    const field = (key, label, value, min, max, step) => {
      const input = h("input", { type: "number", id: `${id}-in-${key}`, value, min, max, step });
      return [h("span", { className: "maze-widget__field" }, h("label", { htmlFor: input.id }, label), input), input];
    };
    const [gammaField, gammaIn] = field("gamma", "γ", root.dataset.gamma, 0, 1, 0.01);
    const [stepField, stepIn] = field("step", "Step reward", root.dataset.stepReward, -100, 100, 0.01);
    const [wallField, wallIn] = field("wall", "Wall reward", root.dataset.wallReward, -100, 100, 0.1);
    const button = (text, onclick) => h("button", { type: "button", className: "maze-widget__button", onclick }, text);
    const status = h("p", { className: "maze-widget__status", role: "status" });
    status.setAttribute("aria-live", "polite");
    const board = h("div", { className: "maze-widget__grid", role: "group" });
    board.setAttribute("aria-label", `The maze, ${rows} rows by ${cols} columns`);
    board.style.gridTemplateColumns = `repeat(${cols}, minmax(0, 4rem))`;
    const cells = grid.flat().map((_, s) => h("button", { type: "button", onclick: () => edit(s) }));
    board.append(...cells);

    function settings() {
      const gamma = gammaIn.valueAsNumber, stepReward = stepIn.valueAsNumber, wallReward = wallIn.valueAsNumber;
      const bad = [];
      gammaIn.setAttribute("aria-invalid", !(gamma >= 0 && gamma <= 1));
      if (!(gamma >= 0 && gamma <= 1)) bad.push("γ must be a number from 0 to 1");
      for (const [input, name, x] of [[stepIn, "the step reward", stepReward], [wallIn, "the wall reward", wallReward]]) {
        input.setAttribute("aria-invalid", !(Math.abs(x) <= 100));
        if (!(Math.abs(x) <= 100)) bad.push(`${name} must be a number from -100 to 100`);
      }
      if (bad.length) throw new Error(`Cannot compute: ${bad.join("; ")}.`);
      return { gamma, stepReward, wallReward, goalReward };
    }

    function render() {
      const lay = layout(), v = q && maxQ(q, rows * cols);
      cells.forEach((cell, s) => {
        const kind = KIND[lay[Math.floor(s / cols)][s % cols]];
        const open = kind === "free" || kind === "start";
        const a = open && q ? greedy(q, s) : null;
        cell.className = `maze-widget__cell maze-widget__cell--${kind}${path.has(s) ? " maze-widget__cell--path" : ""}`;
        // S and G are drawn by the stylesheet (::before), so the visible text is part of the label.
        cell.replaceChildren(a === null ? "" : h("span", { className: "maze-widget__value" }, `${ARROWS[a]} ${fmt(v[s])}`));
        const value = a === null ? "" : `, max Q ${fmt(v[s])}, greedy ${NAMES[a]}`;
        cell.setAttribute("aria-label", `row ${Math.floor(s / cols)}, column ${s % cols}: ${kind}${value}${path.has(s) ? ", on the path" : ""}`);
        cell.title = a === null ? "" : `max Q = ${v[s]}; greedy: ${NAMES[a]}`;
        cell.dataset.value = a === null ? "" : String(v[s]);
        cell.dataset.greedy = a === null ? "" : String(a);
      });
    }

    function reset(message) {
      q = null;
      sweeps = 0;
      path = new Set();
      render();
      const lay = layout(), start = lay.join("").indexOf("S");
      const cut = reachable(lay).has(start) ? "" : " The goal cannot be reached from the start: walls cut it off.";
      status.textContent = `${message} Q is back to 0.${cut}`;
    }

    function edit(s) {
      const r = Math.floor(s / cols), c = s % cols, mode = modes.find((m) => m.firstChild.checked).firstChild.value;
      const here = grid[r][c];
      if (mode === "wall") {
        if (here === "S" || here === "G") {
          status.textContent = `(${r}, ${c}) is the ${KIND[here]}: it cannot be a wall. Move it first.`;
          return;
        }
        grid[r][c] = here === "#" ? "." : "#";
        return reset(`(${r}, ${c}) is now ${here === "#" ? "free" : "a wall"}.`);
      }
      const mark = mode === "start" ? "S" : "G", other = mode === "start" ? "G" : "S";
      if (here === other) {
        status.textContent = `The start and the goal cannot share a cell: (${r}, ${c}) is the ${KIND[other]}.`;
        return;
      }
      for (const row of grid) for (let j = 0; j < cols; j++) if (row[j] === mark) row[j] = ".";
      grid[r][c] = mark;
      reset(`The ${mode} is now at (${r}, ${c}).`);
    }

    // What the values say about the start: the greedy path, or why there is none.
    function describe(opts, converged, change) {
      const lay = layout(), start = lay.join("").indexOf("S"), goal = lay.join("").indexOf("G");
      const v = maxQ(q, rows * cols);
      let text = converged
        ? `Converged after ${sweeps} sweeps: no value changed by 1e-10 or more.`
        : `Did not converge in ${MAX_SWEEPS.toLocaleString("en")} sweeps (the last one changed a value by ${change.toPrecision(3)}).`;
      if (!converged && opts.gamma === 1) {
        text += opts.stepReward > 0 || opts.wallReward > 0
          ? " With γ = 1, a move that pays more than 0 can be repeated forever, so the values grow without bound. Lower γ below 1, or make the rewards for moving 0 or less."
          : " With γ = 1, a cell that cannot reach the goal pays for its moves forever, so its value falls without bound. Lower γ below 1, or open a way to the goal.";
      } else if (!converged) {
        text += " With γ this close to 1 the values settle slowly: each sweep shrinks the change only by a factor of γ.";
      }
      if (!reachable(lay).has(start)) return `${text} The goal cannot be reached from the start: walls cut it off. V(start) = ${fmt(v[start])}.`;
      const moves = [];
      let s = start;
      while (s !== goal && !path.has(s)) {
        path.add(s);
        const a = greedy(q, s), r = Math.floor(s / cols) + MOVES[a][0], c = (s % cols) + MOVES[a][1];
        moves.push(NAMES[a]);
        if (r >= 0 && r < rows && c >= 0 && c < cols && lay[r][c] !== "#") s = r * cols + c;
      }
      const vStart = `V(start) = ${fmt(v[start])}.`;
      if (s === goal) return `${text} The greedy path from the start: ${moves.join(", ")} (${moves.length} moves); ${vStart}`;
      return `${text} Following the greedy actions from the start never reaches the goal: they go round in a loop through ${where(s, cols)}. ${vStart}`;
    }

    function run(solve) {
      let opts;
      try {
        opts = settings();
      } catch (error) {
        status.textContent = error.message;
        return;
      }
      path = new Set();
      if (solve) {
        const result = valueIteration(layout(), opts);
        q = Float64Array.from(result.q.flat());
        sweeps = result.sweeps;
        status.textContent = describe(opts, result.converged, result.change);
      } else {
        const step = sweep(model(layout(), opts), q || new Float64Array(rows * cols * 4), opts.gamma);
        q = step.q;
        sweeps += 1;
        const done = step.change < 1e-10 ? " Nothing changed by 1e-10 or more: converged." : "";
        status.textContent = `Sweep ${sweeps}: the largest change to a Q-value was ${fmt(step.change)}.${done}`;
      }
      render();
    }

    for (const input of [gammaIn, stepIn, wallIn]) {
      input.addEventListener("change", () => {
        try {
          settings();
          reset("Settings changed.");
        } catch (error) {
          status.textContent = error.message;
        }
      });
    }
    const restore = () => {
      grid = initial.map((row) => [...row]);
      gammaIn.value = root.dataset.gamma;
      stepIn.value = root.dataset.stepReward;
      wallIn.value = root.dataset.wallReward;
      settings();
      reset("The post's maze is back.");
    };
    const legend = h("legend", {}, "A click on a cell will");
    root.replaceChildren(
      h("fieldset", { className: "maze-widget__modes" }, legend, ...modes),
      h("div", { className: "maze-widget__fields" }, gammaField, stepField, wallField),
      board,
      h("div", { className: "maze-widget__buttons" },
        button("One sweep", () => run(false)), button("Solve", () => run(true)), button("Reset", restore)),
      status,
    );
    render();
    status.textContent = "Q is 0 everywhere. Press One sweep to apply the Bellman equation once to every cell.";
  }

  const init = () => document.querySelectorAll(".maze-widget:not([data-ready])").forEach((root, n) => {
    root.dataset.ready = "";
    setup(root, n);
  });
  if (typeof document$ !== "undefined") document$.subscribe(init);
  else document.addEventListener("DOMContentLoaded", init);
})();
