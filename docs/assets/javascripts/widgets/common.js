// What every widget of the site shares: building DOM nodes, and mounting a widget on each of its
// containers (<div class="rlhf-widget" data-widget="NAME" data-src="URL of its JSON">) once its data
// has loaded. Material's document$ mounts again after every instant navigation; without Material,
// DOMContentLoaded mounts once. Loaded before the widgets (mkdocs.yml).
(() => {
  "use strict";
  const SVG = "http://www.w3.org/2000/svg";

  function make(tag, attrs = {}, text = "", ns = null) {
    const node = ns ? document.createElementNS(ns, tag) : document.createElement(tag);
    for (const [key, value] of Object.entries(attrs)) node.setAttribute(key, value);
    if (text) node.textContent = text;
    return node;
  }

  async function start(root, build) {
    if (root.dataset.ready) return; // already built (or loading) in this document
    root.dataset.ready = "loading";
    try {
      const response = await fetch(new URL(root.dataset.src, document.baseURI));
      if (!response.ok) throw new Error(`HTTP ${response.status}`);
      build(root, await response.json());
    } catch (error) {
      root.dataset.ready = "failed";
      root.append(make("p", {}, `The interactive version could not load its data (${error.message}).`));
    }
  }

  // build(root, data) draws the widget into root and sets root.dataset.ready = "true".
  function mount(name, build) {
    const startAll = () => {
      for (const root of document.querySelectorAll(`.rlhf-widget[data-widget="${name}"]`)) start(root, build);
    };
    if (typeof document$ !== "undefined") document$.subscribe(startAll);
    else if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", startAll);
    else startAll();
  }

  window.rlhfWidgets = { SVG, make, mount };
})();
