// The deck player: arrow keys, clicks, the slide list and the notes. No network, no library.
(function () {
  "use strict";
  var root = document.documentElement, body = document.body;
  var slides = Array.prototype.slice.call(document.querySelectorAll("section.slide"));
  var links = Array.prototype.slice.call(document.querySelectorAll("#list a"));
  var counter = document.getElementById("counter");
  var list = document.getElementById("list");
  var current = -1;
  root.classList.add("js");

  function show(k) {
    k = Math.max(0, Math.min(slides.length - 1, k));
    if (k === current) return;
    slides.forEach(function (s, i) { s.classList.toggle("current", i === k); });
    links.forEach(function (a, i) { a.setAttribute("aria-current", i === k ? "true" : "false"); });
    current = k;
    counter.textContent = body.dataset.counter.replace("{n}", k + 1).replace("{total}", slides.length);
    try { history.replaceState(null, "", "#" + (k + 1)); } catch (e) { /* some file: viewers refuse */ }
  }
  function fromHash() {
    var n = parseInt(location.hash.slice(1), 10);
    return isNaN(n) ? 0 : n - 1;
  }
  function toggle(name) { body.classList.toggle(name); }

  document.getElementById("prev").addEventListener("click", function () { show(current - 1); });
  document.getElementById("next").addEventListener("click", function () { show(current + 1); });
  document.getElementById("list-toggle").addEventListener("click", function () { list.hidden = !list.hidden; });
  document.getElementById("notes-toggle").addEventListener("click", function () { toggle("show-notes"); });
  links.forEach(function (a, i) {
    a.addEventListener("click", function (e) { e.preventDefault(); show(i); });
  });
  // a click on the still: right half forward, left half back
  document.getElementById("deck").addEventListener("click", function (e) {
    if (!e.target.closest(".still")) return;
    var box = e.currentTarget.getBoundingClientRect();
    show(e.clientX - box.left > box.width / 2 ? current + 1 : current - 1);
  });
  document.addEventListener("keydown", function (e) {
    if (e.altKey || e.ctrlKey || e.metaKey) return;
    var key = e.key;
    if (key === "ArrowRight" || key === "PageDown" || key === " " || key === "Enter") show(current + 1);
    else if (key === "ArrowLeft" || key === "PageUp" || key === "Backspace") show(current - 1);
    else if (key === "Home") show(0);
    else if (key === "End") show(slides.length - 1);
    else if (key === "n" || key === "N") toggle("show-notes");
    else if (key === "l" || key === "L") list.hidden = !list.hidden;
    else if ((key === "f" || key === "F") && document.fullscreenEnabled) {
      if (document.fullscreenElement) document.exitFullscreen(); else root.requestFullscreen();
    } else return;
    e.preventDefault();
  });
  window.addEventListener("hashchange", function () { show(fromHash()); });
  show(fromHash());
})();
