// A body map, front and back, with regions for the taxonomy's top-level body sites.
// Tapping a limb also suggests the side: on the front view the patient's right is on
// the viewer's left; on the back view it is on the viewer's right.

import { _ } from "./i18n.js";

const SVG = "http://www.w3.org/2000/svg";

// [region id, shape, attributes, side on the front view]
const FIGURE = [
  ["head", "ellipse", { cx: 50, cy: 16, rx: 11, ry: 13 }, null],
  ["neck", "rect", { x: 44, y: 29, width: 12, height: 8, rx: 2 }, null],
  ["trunk", "rect", { x: 30, y: 37, width: 40, height: 58, rx: 8 }, null],
  ["genital_perineal", "rect", { x: 40, y: 95, width: 20, height: 12, rx: 4 }, null],
  ["upper_limb", "rect", { x: 15, y: 39, width: 13, height: 66, rx: 6 }, "right"],
  ["upper_limb", "rect", { x: 72, y: 39, width: 13, height: 66, rx: 6 }, "left"],
  ["lower_limb", "rect", { x: 31, y: 108, width: 17, height: 84, rx: 7 }, "right"],
  ["lower_limb", "rect", { x: 52, y: 108, width: 17, height: 84, rx: 7 }, "left"],
];
const OPPOSITE = { right: "left", left: "right" };

// The taxonomy's sides are ids; these are their names.
export function sideName(side) {
  const names = { left: _("left"), right: _("right"), bilateral: _("bilateral"), midline: _("midline") };
  return names[side] || side;
}

function shape(kind, attrs) {
  const element = document.createElementNS(SVG, kind);
  for (const [name, value] of Object.entries(attrs)) element.setAttribute(name, value);
  return element;
}

function figure(view, offset, names, onPick) {
  const group = shape("g", { transform: `translate(${offset} 0)`, class: `figure ${view}` });
  for (const [region, kind, attrs, frontSide] of FIGURE) {
    const side = frontSide && (view === "front" ? frontSide : OPPOSITE[frontSide]);
    const part = shape(kind, { ...attrs, class: "region", tabindex: "0", role: "button",
      "data-region": region, "data-view": view });
    const title = shape("title", {});
    const where = side ? `${names[region] || region}, ${sideName(side)}` : names[region] || region;
    title.textContent = `${where} (${view === "front" ? _("front") : _("back")})`;
    part.setAttribute("aria-label", title.textContent);
    part.append(title);
    const pick = () => onPick(region, view, side);
    part.addEventListener("click", pick);
    part.addEventListener("keydown", (event) => { if (event.key === "Enter") pick(); });
    group.append(part);
  }
  const label = shape("text", { x: 50, y: 205, "text-anchor": "middle", class: "figure-label" });
  label.textContent = view === "front" ? _("Front") : _("Back");
  group.append(label);
  return group;
}

export function bodyMap(names, onPick) {
  const svg = shape("svg", { viewBox: "0 0 230 212", class: "bodymap", role: "group",
    "aria-label": _("Body map: tap where the problem is") });
  svg.append(figure("front", 5, names, onPick), figure("back", 125, names, onPick));
  return svg;
}
