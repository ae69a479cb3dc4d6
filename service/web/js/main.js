// The explorer: tabs for the views, the language, and the state of the view in the address,
// so that a view can be shared by its URL and comes back as it was on reload.

import * as api from "./api.js";
import { h } from "./dom.js";
import { LANGUAGES, setLanguage, t, translate } from "./i18n.js";
import { compareView } from "./views/compare.js";
import { flowView } from "./views/flow.js";
import { functionView } from "./views/function.js";
import { trainingView } from "./views/training.js";

// One module per view under views/.
const VIEWS = [functionView, compareView, flowView, trainingView];

const tabs = document.getElementById("tabs");
const main = document.getElementById("views");
const languageSelect = document.getElementById("language");
const shareButton = document.getElementById("share");
const shareBox = document.getElementById("share-box");
const shareUrl = document.getElementById("share-url");
const shareStatus = document.getElementById("share-status");

let views = [];
let active = null;
let language = "en";

function address() {
  const query = new URLSearchParams({ view: active.id });
  if (language !== "en") query.set("lang", language);
  for (const [key, value] of active.query()) query.set(key, value);
  return `${location.pathname}?${query}`;
}

function remember() {
  history.replaceState(null, "", address());
  shareUrl.value = location.href;
}

function show(view, { focus = false } = {}) {
  active = view;
  for (const other of views) {
    const selected = other === view;
    other.tab.setAttribute("aria-selected", String(selected));
    other.tab.tabIndex = selected ? 0 : -1;
    other.panel.hidden = !selected;
  }
  if (!view.restored) {
    view.restored = true;
    view.restore(new URLSearchParams());
  }
  if (focus) view.tab.focus();
  remember();
}

function onTabKey(event) {
  const index = views.indexOf(active);
  const step = { ArrowRight: 1, ArrowLeft: -1 }[event.key];
  if (step) {
    event.preventDefault();
    show(views[(index + step + views.length) % views.length], { focus: true });
  } else if (event.key === "Home" || event.key === "End") {
    event.preventDefault();
    show(views[event.key === "Home" ? 0 : views.length - 1], { focus: true });
  }
}

async function boot() {
  const query = new URLSearchParams(location.search);
  language = LANGUAGES.includes(query.get("lang")) ? query.get("lang") : "en";
  languageSelect.value = language;
  setLanguage(language);
  let catalog;
  let limits;
  try {
    [catalog, limits] = await Promise.all([api.catalog(), api.limits()]);
  } catch (error) {
    main.replaceChildren(h("p", { class: "error", role: "alert" }, String(error.message)));
    return;
  }
  const context = { catalog, limits, changed: () => active && remember() };
  views = VIEWS.map((make) => {
    const view = make(context);
    view.tab = h("button", {
      type: "button",
      role: "tab",
      id: `tab-${view.id}`,
      "aria-controls": `panel-${view.id}`,
      "data-i18n": view.titleKey,
      onclick: () => show(view),
      onkeydown: onTabKey,
    }, t(view.titleKey));
    view.panel = h("section", { id: `panel-${view.id}`, role: "tabpanel", "aria-labelledby": `tab-${view.id}`, class: "panel" }, view.element);
    return view;
  });
  tabs.replaceChildren(...views.map((v) => v.tab));
  main.replaceChildren(...views.map((v) => v.panel));
  const first = views.find((v) => v.id === query.get("view")) ?? views[0];
  first.restored = true;
  active = first;
  first.restore(query);
  show(first);

  languageSelect.addEventListener("change", () => {
    language = languageSelect.value;
    setLanguage(language);
    for (const view of views) if (view.restored) view.language();
    remember();
  });
  shareButton.addEventListener("click", async () => {
    const open = shareBox.hidden;
    shareBox.hidden = !open;
    shareButton.setAttribute("aria-expanded", String(open));
    if (!open) return;
    shareUrl.value = location.href;
    shareUrl.select();
    try {
      await navigator.clipboard.writeText(location.href);
      shareStatus.textContent = t("copied");
    } catch {
      shareStatus.textContent = t("copy-by-hand");
    }
  });
  document.body.dataset.ready = "true";
}

translate(document);
boot();
