// LaTeX from the API (formulas, identities), set by the vendored KaTeX.

/** An element showing `tex`; the source itself, in code, if KaTeX is not loaded. */
export function formula(tex, { display = false } = {}) {
  const element = document.createElement(display ? "div" : "span");
  element.className = "formula";
  const katex = globalThis.katex;
  if (katex) {
    katex.render(tex, element, { displayMode: display, throwOnError: false, output: "htmlAndMathml" });
  } else {
    const code = document.createElement("code");
    code.textContent = tex;
    element.append(code);
  }
  return element;
}
