// A tiny element builder: text is always set as text, never parsed as HTML.

import { _ } from "./i18n.js";

export function h(tag, attrs = {}, ...children) {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (value === undefined || value === null || value === false) continue;
    if (name === "on") {
      for (const [event, handler] of Object.entries(value)) element.addEventListener(event, handler);
    } else if (name === "text") {
      element.textContent = value;
    } else if (name === "class") {
      element.className = value;
    } else if (name in element && typeof value !== "string") {
      element[name] = value;
    } else {
      element.setAttribute(name, value === true ? "" : value);
    }
  }
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    element.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return element;
}

export function show(...nodes) {
  const screen = document.getElementById("screen");
  screen.replaceChildren(...nodes);
  screen.scrollTop = 0;
  window.scrollTo(0, 0);
}

export function notice(text, kind = "info") {
  const box = document.getElementById("notice");
  box.textContent = text;
  box.className = `notice ${kind}`;
  box.hidden = !text;
}

export function field(label, input) {
  return h("label", { class: "field" }, h("span", { text: label }), input);
}

export function button(text, onClick, kind = "primary", attrs = {}) {
  return h("button", { type: "button", class: `btn ${kind}`, on: { click: onClick }, ...attrs }, text);
}

export function header(title, back) {
  return h("div", { class: "bar" },
    back ? button(_("‹ Back"), back, "link back") : h("span"),
    h("h1", { text: title }),
    h("span"));
}
