// Typeset the math that pymdownx.arithmatex (generic mode) marks up, with the KaTeX that ships
// with the site. Only .arithmatex elements are touched, so a "$" in prose or code is never math.
// Material's document$ emits on the first load and after every instant navigation.
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
});
