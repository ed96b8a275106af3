// 巡检工作台: the only script of the console besides htmx (no inline script anywhere: CSP script-src 'self').
(function () {
  "use strict";
  function csrf() {
    var meta = document.querySelector('meta[name="csrf-token"]');
    return meta ? meta.getAttribute("content") : "";
  }
  // Every HTMX request carries the CSRF token (state-changing calls need it; GETs ignore it).
  document.addEventListener("htmx:configRequest", function (event) {
    event.detail.headers["X-CSRF-Token"] = csrf();
  });
  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("input.check-all").forEach(function (box) {
      box.addEventListener("change", function () {
        var form = box.closest("form");
        form.querySelectorAll('input[name="ids"]').forEach(function (item) { item.checked = box.checked; });
      });
    });
  });
  window.xunjian = { csrf: csrf };
})();
