// tidings: the little script of the article page. Served by tidings itself; no libraries.
// Clicking (or pressing Enter on) a highlighted span shows what it was resolved to, together
// with every other span covering the same characters (an actor inside a quote, say).
"use strict";

(function () {
  const body = document.getElementById("article-body");
  if (!body) return;
  const hint = document.getElementById("details-hint");
  let current = [];

  function marksOf(ref) {
    return body.querySelectorAll('mark[data-ref="' + CSS.escape(ref) + '"]');
  }

  function select(refs, scroll) {
    current.forEach(function (ref) {
      const old = document.getElementById("detail-" + ref);
      if (old) old.hidden = true;
      marksOf(ref).forEach(function (m) { m.classList.remove("active"); });
    });
    current = refs.filter(function (ref) { return document.getElementById("detail-" + ref); });
    if (!current.length) return;
    const panel = document.getElementById("details");
    current.forEach(function (ref) {
      const detail = document.getElementById("detail-" + ref);
      panel.appendChild(detail);  // innermost span first, then the ones around it
      detail.hidden = false;
    });
    if (hint) hint.hidden = true;
    const marks = marksOf(current[0]);
    marks.forEach(function (m) { m.classList.add("active"); });
    if (scroll && marks.length) marks[0].scrollIntoView({ block: "center" });
  }

  function refsAt(target) {
    const refs = [];
    let mark = target.closest("mark[data-ref]");
    while (mark && body.contains(mark)) {
      if (refs.indexOf(mark.dataset.ref) < 0) refs.push(mark.dataset.ref);
      mark = mark.parentElement.closest("mark[data-ref]");
    }
    return refs;
  }

  body.addEventListener("click", function (event) {
    const refs = refsAt(event.target);
    if (refs.length) select(refs, false);
  });
  body.addEventListener("keydown", function (event) {
    if (event.key !== "Enter" && event.key !== " ") return;
    const refs = refsAt(event.target);
    if (refs.length) {
      event.preventDefault();
      select(refs, false);
    }
  });

  const toggle = document.getElementById("show-removed");
  if (toggle) {
    toggle.addEventListener("change", function () {
      body.classList.toggle("hide-removed", !toggle.checked);
    });
  }

  function fromHash() {
    const ref = decodeURIComponent(location.hash.slice(1));
    if (ref && document.getElementById("detail-" + ref)) select([ref], true);
  }
  window.addEventListener("hashchange", fromHash);
  fromHash();
})();

// The story page: clicking (or Enter on) an incident shows its sources and quotes in the side
// panel; the zoom buttons narrow or widen the timeline's visible date range.
(function () {
  const svg = document.getElementById("story-timeline");
  const panel = document.getElementById("details");
  if (!panel || !document.querySelector(".story")) return;
  const hint = document.getElementById("details-hint");
  let current = null;

  function select(ref) {
    const detail = document.getElementById("detail-" + ref);
    if (!detail) return;
    if (current) {
      const old = document.getElementById("detail-" + current);
      if (old) old.hidden = true;
      document.querySelectorAll('[data-ref="' + CSS.escape(current) + '"]').forEach(function (el) {
        el.classList.remove("active");
      });
    }
    current = ref;
    detail.hidden = false;
    if (hint) hint.hidden = true;
    document.querySelectorAll('[data-ref="' + CSS.escape(ref) + '"]').forEach(function (el) {
      el.classList.add("active");
    });
  }

  document.querySelectorAll(".story [data-ref]").forEach(function (el) {
    el.addEventListener("click", function () { select(el.dataset.ref); });
    el.addEventListener("keydown", function (event) {
      if (event.key === "Enter" || event.key === " ") {
        event.preventDefault();
        select(el.dataset.ref);
      }
    });
  });

  if (!svg) return;
  const lo0 = Number(svg.dataset.lo), hi0 = Number(svg.dataset.hi);
  const width = Number(svg.dataset.width), margin = Number(svg.dataset.margin);
  let lo = lo0, hi = hi0;

  function draw() {
    const scale = (width - 2 * margin) / Math.max(hi - lo, 1);
    svg.querySelectorAll("g[data-t]").forEach(function (g) {
      const t = Number(g.dataset.t);
      const y = g.getAttribute("transform").match(/ ([-\d.]+)\)$/)[1];
      g.setAttribute("transform", "translate(" + (margin + (t - lo) * scale).toFixed(1) + " " + y + ")");
      g.style.display = t < lo || t > hi ? "none" : "";
    });
    // Keep about a dozen tick labels whatever the zoom.
    const ticks = Array.prototype.filter.call(svg.querySelectorAll("g.tick"), function (g) {
      return g.style.display !== "none";
    });
    const every = Math.max(1, Math.ceil(ticks.length / 12));
    ticks.forEach(function (g, i) { g.style.display = i % every ? "none" : ""; });
  }

  function zoom(action) {
    const span = hi - lo, mid = (lo + hi) / 2;
    if (action === "in" && span > 2) { lo = mid - span / 4; hi = mid + span / 4; }
    else if (action === "out") { lo = Math.max(lo0, mid - span); hi = Math.min(hi0, mid + span); }
    else if (action === "left") { const d = Math.min(span / 2, lo - lo0); lo -= d; hi -= d; }
    else if (action === "right") { const d = Math.min(span / 2, hi0 - hi); lo += d; hi += d; }
    else if (action === "reset") { lo = lo0; hi = hi0; }
    draw();
  }

  document.querySelectorAll("#timeline-tools [data-zoom]").forEach(function (b) {
    b.addEventListener("click", function () { zoom(b.dataset.zoom); });
  });
  svg.addEventListener("wheel", function (event) {
    event.preventDefault();
    zoom(event.deltaY < 0 ? "in" : "out");
  }, { passive: false });
})();
