"""Zoom and pan on photos, kept in step across panes of the same group (for comparisons).

A `.zoom-pane` holds one `.zoom-content` that is scaled and moved with CSS transforms: wheel
or the buttons zoom, dragging pans, double-click resets. Panes with the same data-zoom-group
share one transform, so two photos side by side or overlaid move together.
"""

from nicegui import ui

ZOOM_JS = """<script>
window.suturaZoom = window.suturaZoom || (function () {
  const groups = {};
  function group(name) {
    return groups[name] || (groups[name] = {s: 1, x: 0, y: 0, panes: new Set()});
  }
  function apply(g) {
    for (const pane of g.panes) {
      if (!pane.isConnected) { g.panes.delete(pane); continue; }
      const inner = pane.querySelector(".zoom-content");
      if (inner) inner.style.transform = `translate(${g.x}px, ${g.y}px) scale(${g.s})`;
    }
  }
  function zoomAt(g, factor, mx, my) {
    const s = Math.min(10, Math.max(1, g.s * factor));
    const k = s / g.s;
    g.x = mx - k * (mx - g.x); g.y = my - k * (my - g.y); g.s = s;
    if (s === 1) { g.x = 0; g.y = 0; }
    apply(g);
  }
  function attach(pane) {
    if (pane.dataset.zoomReady) return;
    pane.dataset.zoomReady = "1";
    const g = group(pane.dataset.zoomGroup || "default");
    g.panes.add(pane); apply(g);
    pane.addEventListener("wheel", (e) => {
      e.preventDefault();
      const r = pane.getBoundingClientRect();
      zoomAt(g, e.deltaY < 0 ? 1.2 : 1 / 1.2, e.clientX - r.left, e.clientY - r.top);
    }, {passive: false});
    let drag = null;
    pane.addEventListener("pointerdown", (e) => {
      drag = {x: e.clientX - g.x, y: e.clientY - g.y}; pane.setPointerCapture(e.pointerId);
    });
    pane.addEventListener("pointermove", (e) => {
      if (!drag || g.s === 1) return;
      g.x = e.clientX - drag.x; g.y = e.clientY - drag.y; apply(g);
    });
    pane.addEventListener("pointerup", () => { drag = null; });
    pane.addEventListener("dblclick", () => { g.s = 1; g.x = 0; g.y = 0; apply(g); });
  }
  function scan() { document.querySelectorAll(".zoom-pane").forEach(attach); }
  new MutationObserver(scan).observe(document.documentElement, {childList: true, subtree: true});
  document.addEventListener("DOMContentLoaded", scan);
  return {
    scan,
    step(name, factor) {
      const g = group(name); const pane = [...g.panes][0];
      const r = pane ? pane.getBoundingClientRect() : {width: 0, height: 0};
      zoomAt(g, factor, r.width / 2, r.height / 2);
    },
    reset(name) { const g = group(name); g.s = 1; g.x = 0; g.y = 0; apply(g); },
    state(name) { const g = group(name); return {s: g.s, x: g.x, y: g.y}; },
  };
})();
</script>
<style>
.zoom-pane { position: relative; overflow: hidden; touch-action: none; cursor: grab;
  background: #0f172a; }
.zoom-content { transform-origin: 0 0; width: 100%; height: 100%; }
.zoom-content img { width: 100%; height: 100%; object-fit: contain; user-select: none;
  -webkit-user-drag: none; pointer-events: none; }
</style>"""


def install_zoom() -> None:
    """Once per page that shows zoomable photos."""
    ui.add_head_html(ZOOM_JS)


def zoom_pane(src: str, group: str, alt: str, classes: str = "") -> ui.element:
    """A zoomable photo; returns the <img> so its src can change."""
    pane = ui.element("div").classes(f"zoom-pane {classes}")
    pane.props["data-zoom-group"] = group
    with pane, ui.element("div").classes("zoom-content"):
        image = ui.element("img").classes("zoomed-photo")
        image.props["src"] = src
        image.props["alt"] = alt
    return image


def zoom_buttons(group: str, labels: tuple[str, str, str]) -> None:
    """Zoom in, zoom out and reset, for touch screens and keyboards."""
    zoom_in, zoom_out, reset = labels
    for icon, label, call in (
        ("zoom_in", zoom_in, f"window.suturaZoom.step('{group}', 1.5)"),
        ("zoom_out", zoom_out, f"window.suturaZoom.step('{group}', 1 / 1.5)"),
        ("fit_screen", reset, f"window.suturaZoom.reset('{group}')"),
    ):
        ui.button(icon=icon).props(f'flat round dense aria-label="{label}"').on(
            "click", js_handler=f"() => {call}"
        ).tooltip(label)
