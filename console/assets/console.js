// soisnode console: copy buttons and the response URL check as you type.
// No library; served from the node, so the page's CSP ('self') holds.
"use strict";
document.addEventListener("click", function (ev) {
  var b = ev.target.closest("button[data-copy]");
  if (!b) return;
  var el = document.getElementById(b.getAttribute("data-copy"));
  if (!el || !navigator.clipboard) return;
  navigator.clipboard.writeText(el.textContent.trim()).then(function () {
    var was = b.textContent;
    b.textContent = "Copied";
    setTimeout(function () { b.textContent = was; }, 1500);
  });
});
document.addEventListener("DOMContentLoaded", function () {
  document.querySelectorAll("input[data-check-url]").forEach(function (input) {
    var out = document.getElementById(input.getAttribute("aria-describedby").split(" ").pop());
    var form = input.form, timer;
    input.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(function () {
        var body = new URLSearchParams();
        body.set("response_url", input.value);
        body.set("csrf", form.elements.csrf.value);
        fetch(input.getAttribute("data-check-url"), { method: "POST", body: body, credentials: "same-origin" })
          .then(function (r) { return r.status === 422 ? r.text() : ""; })
          .then(function (msg) {
            if (!out) return;
            out.textContent = msg;
            input.setAttribute("aria-invalid", msg ? "true" : "false");
          });
      }, 400);
    });
  });
});
