// The search index (search/search_index.json, the largest file of the site) is fetched when the
// reader first reaches for search, not on every page load. Material's bundle asks for it at start-up
// with an XMLHttpRequest; this script, which runs before the bundle, holds that one request back
// until the search box is hovered, touched or focused (the keyboard shortcuts focus it too), then
// sends it. A page opened from a search result (?h=...) needs the index at once, to highlight the
// terms, so it is not held there. Nothing of Material is changed: every other request goes as is.
(() => {
  "use strict";
  const INDEX = /\/search\/search_index\.json$/;
  let wanted = new URLSearchParams(location.search).has("h");
  const held = [];
  const want = () => {
    if (wanted) return;
    wanted = true;
    for (const send of held.splice(0)) send();
  };
  const { open, send } = XMLHttpRequest.prototype;
  XMLHttpRequest.prototype.open = function (method, url, ...rest) {
    this.rlhfSearchIndex = INDEX.test(new URL(String(url), document.baseURI).pathname);
    return open.call(this, method, url, ...rest);
  };
  XMLHttpRequest.prototype.send = function (...args) {
    if (this.rlhfSearchIndex && !wanted) {
      held.push(() => send.apply(this, args));
      return undefined;
    }
    return send.apply(this, args);
  };
  const isSearch = (target) => target instanceof Element && target.closest(".md-search, label[for='__search']");
  for (const type of ["pointerover", "touchstart", "focusin"]) {
    document.addEventListener(type, (event) => isSearch(event.target) && want(), { capture: true, passive: true });
  }
  // Material's keyboard shortcuts (f, s, /) open search and focus the box: focusin above sees it.
})();
