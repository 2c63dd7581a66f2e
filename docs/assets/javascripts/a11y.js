// Accessibility fixes to Material's markup, run on every page load (document$ also fires after
// instant navigation). axe-core checks the result on every page in tests/test_site_browser.py.
document$.subscribe(() => {
  // The search overlay is a dialog: give it a name.
  const search = document.querySelector('.md-search[role="dialog"]');
  if (search && !search.hasAttribute("aria-label")) search.setAttribute("aria-label", "Search");
  // A region that scrolls sideways (a wide table, a long line of notebook code) must be reachable
  // from the keyboard, so the arrow keys can scroll it.
  const scrollers = document.querySelectorAll(
    ".md-typeset__scrollwrap, .highlight-ipynb, .jp-OutputArea-output pre, .jp-RenderedText pre",
  );
  for (const el of scrollers) {
    if (el.scrollWidth > el.clientWidth && !el.hasAttribute("tabindex")) {
      el.tabIndex = 0;
      if (!el.hasAttribute("role")) el.setAttribute("role", "region");
      if (!el.hasAttribute("aria-label")) el.setAttribute("aria-label", "scrollable content");
    }
  }
});
