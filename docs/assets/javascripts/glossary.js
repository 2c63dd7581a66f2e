// Glossary tooltips (includes/glossary.md, appended to every page): Material's content.tooltips shows an
// <abbr title>'s definition on hover and on keyboard focus. The first use of each term on a page is made
// focusable, so the keyboard reaches every definition once, without a tab stop at every repeat; a term
// inside a link or a button is left alone (that control already takes the focus).
document$.subscribe(() => {
  const seen = new Set();
  for (const abbr of document.querySelectorAll("article abbr[title]")) {
    if (seen.has(abbr.textContent) || abbr.closest("a, button, summary, label")) continue;
    seen.add(abbr.textContent);
    abbr.tabIndex = 0;
  }
});
