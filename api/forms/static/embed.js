// Qualify form embed: <script src="https://qualify.example.com/forms/<id>/embed.js" async></script>
// Puts the form in a frame where the script tag stands and sizes the frame to the form.
(function () {
  "use strict";
  var src = "__SRC__", origin = "__ORIGIN__", title = "__TITLE__";
  var here = document.currentScript;
  var frame = document.createElement("iframe");
  frame.src = src;
  frame.title = title;
  frame.loading = "lazy";
  frame.style.cssText = "width:100%;border:0;min-height:480px";
  if (here && here.parentNode) { here.parentNode.insertBefore(frame, here.nextSibling); }
  else { document.body.appendChild(frame); }
  window.addEventListener("message", function (e) {
    if (e.origin !== origin || e.source !== frame.contentWindow || !e.data || !e.data.qualifyForm) return;
    var h = Number(e.data.height);
    if (h > 0 && h < 10000) frame.style.height = h + "px";
  });
})();
