// Keyboard shortcuts for the review UI (no framework, no inline script: the CSP allows only this file).
(function () {
  "use strict";
  function typing(el) {
    return el && (el.tagName === "INPUT" || el.tagName === "TEXTAREA" || el.tagName === "SELECT" || el.isContentEditable);
  }
  function focusForm(id) {
    var form = document.getElementById(id);
    if (!form) return;
    var box = form.closest("details");
    if (box) box.open = true;
    var first = form.querySelector("select, textarea, input:not([type=hidden])");
    form.scrollIntoView({ block: "start" });
    if (first) first.focus();
  }
  var rows = Array.prototype.slice.call(document.querySelectorAll("#queue tbody tr"));
  var current = -1;
  function move(step) {
    if (!rows.length) return;
    if (current >= 0) rows[current].classList.remove("current");
    current = Math.max(0, Math.min(rows.length - 1, current + step));
    rows[current].classList.add("current");
    rows[current].querySelector("a").focus();
  }
  document.addEventListener("keydown", function (ev) {
    if (ev.ctrlKey || ev.metaKey || ev.altKey || typing(ev.target)) return;
    var keys = { c: "form-confirm", e: "form-edit", r: "form-reject", a: "form-accept", p: "form-push_back" };
    if (rows.length && (ev.key === "j" || ev.key === "k")) { move(ev.key === "j" ? 1 : -1); ev.preventDefault(); return; }
    if (keys[ev.key] && document.getElementById(keys[ev.key])) { focusForm(keys[ev.key]); ev.preventDefault(); return; }
    if (ev.key === "h" && document.getElementById("audit")) { document.getElementById("audit").scrollIntoView(); }
    if (ev.key === "/" && document.getElementById("f-q")) { document.getElementById("f-q").focus(); ev.preventDefault(); }
  });
})();
