// The qualifying form's only script (progressive enhancement: without it every follow-up is shown with a hint).
// Shows a follow-up only when its trigger answer is chosen, and tells a framing page how tall the form is.
(function () {
  "use strict";
  document.documentElement.classList.add("js");
  function chosen(form, name) {
    var el = form.elements.namedItem(name);
    if (!el) return "";
    if (typeof RadioNodeList !== "undefined" && el instanceof RadioNodeList) return el.value;
    return el.value || "";
  }
  function update(form) {
    var followUps = form.querySelectorAll("[data-show-field]");
    for (var i = 0; i < followUps.length; i++) {
      var box = followUps[i];
      var values = JSON.parse(box.getAttribute("data-show-values") || "[]");
      box.hidden = values.indexOf(chosen(form, box.getAttribute("data-show-field"))) === -1;
    }
    resize();
  }
  function resize() {
    if (window.parent !== window) {
      window.parent.postMessage({ qualifyForm: true, height: document.documentElement.scrollHeight }, "*");
    }
  }
  document.addEventListener("DOMContentLoaded", function () {
    var form = document.getElementById("qualify-form");
    if (form) {
      form.addEventListener("change", function () { update(form); });
      update(form);
      var summary = document.getElementById("error-summary");
      if (summary) summary.focus();
    } else {
      resize();
    }
  });
})();
