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
