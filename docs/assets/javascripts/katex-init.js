// Typeset math with the KaTeX that ships with the site (nothing is loaded from elsewhere).
// The MkDocs build typesets the pages' formulas itself (hooks/pages.py) and loads this script only
// on notebook pages with math; the Zensical build (tools/zensical.py) loads it on every page.
// - Pages: pymdownx.arithmatex (generic mode) wraps each formula in an .arithmatex element holding
//   \( ... \) or \[ ... \]. Only those elements are touched, so a "$" in prose or code is never math.
// - Notebooks: markdown cells keep Jupyter's $ ... $ and $$ ... $$ delimiters.
// Material's document$ emits on the first load and after every instant navigation. The first
// emission runs inside DOMContentLoaded, so the math is typeset before the page's load event,
// which is what tests/test_site_browser.py waits for before it looks for raw TeX.
document$.subscribe(({ body }) => {
  for (const element of body.querySelectorAll(".arithmatex")) {
    renderMathInElement(element, {
      delimiters: [
        { left: "\\(", right: "\\)", display: false },
        { left: "\\[", right: "\\]", display: true },
      ],
      throwOnError: true,
    });
  }
  for (const element of body.querySelectorAll(".jp-RenderedMarkdown")) {
    renderMathInElement(element, {
      delimiters: [
        { left: "$$", right: "$$", display: true },
        { left: "$", right: "$", display: false },
      ],
      throwOnError: true,
    });
  }
});
