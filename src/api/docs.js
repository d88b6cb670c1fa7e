// /docs: Swagger UI draws some controls (a request body, a parameter's value, a media type)
// without a name that a screen reader can announce; this names each as it appears, from
// what Swagger UI shows beside it. Served by src/api/swagger.rs.
(function () {
  "use strict";
  function nameOf(el) {
    if (el.closest(".body-param")) return "Request body";
    var row = el.closest("tr");
    var name = row && row.querySelector(".parameter__name");
    if (name) return name.textContent.replace("*", "").replace("required", "").trim();
    if (el.tagName === "SELECT") return "Media type";
    return el.getAttribute("placeholder") || "Value";
  }
  function named(el) {
    if (el.getAttribute("aria-label") || el.getAttribute("aria-labelledby")) return true;
    var labels = el.labels || [];
    for (var i = 0; i < labels.length; i++) {
      if (labels[i].textContent.trim()) return true;
    }
    return false;
  }
  function label() {
    document.querySelectorAll("textarea, select, input").forEach(function (el) {
      if (el.type !== "hidden" && !named(el)) el.setAttribute("aria-label", nameOf(el));
    });
  }
  new MutationObserver(label).observe(document.documentElement, { childList: true, subtree: true });
})();
