// Progressive enhancement only: the scheme form's live sum of weights. Every page works
// without this file; the server validates the sum either way.
document.addEventListener("DOMContentLoaded", function () {
  var sum = document.getElementById("weight-sum");
  if (!sum) return;
  var inputs = document.querySelectorAll("input.weight");
  var message = document.createElement("span");
  message.className = "must";
  sum.parentNode.appendChild(message);
  function update() {
    var total = 0;
    inputs.forEach(function (input) {
      var value = parseInt(input.value, 10);
      if (!isNaN(value)) total += value;
    });
    sum.textContent = String(total);
    sum.className = total === 100 ? "ok" : "bad";
    message.textContent = total === 100 ? "" : " " + sum.getAttribute("data-must");
  }
  inputs.forEach(function (input) { input.addEventListener("input", update); });
  update();
});

// Progressive enhancement only: the inspection form's running total, as the server will
// score it (Σ points / Σ max × 100; 0 when a critical item scores 0).
document.addEventListener("DOMContentLoaded", function () {
  var box = document.getElementById("running-total");
  if (!box) return;
  var output = box.querySelector("output");
  var inputs = document.querySelectorAll("#inspection-form input.points");
  function update() {
    var points = 0, max = 0, critical = false, filled = false;
    inputs.forEach(function (input) {
      var value = parseInt(input.value, 10);
      max += parseInt(input.max, 10) || 0;
      if (isNaN(value)) return;
      filled = true;
      points += value;
      if (value === 0 && input.getAttribute("data-critical") === "true") critical = true;
    });
    if (!filled || max === 0) { output.textContent = "—"; return; }
    // As the server rounds it: (points / max × 100), then to hundredths, half away from 0.
    var score = critical ? 0 : Math.round((points / max) * 100 * 100) / 100;
    output.textContent = points + " / " + max + " = " + score.toFixed(2) +
      (critical ? " (" + box.getAttribute("data-critical-zero") + ")" : "");
  }
  box.hidden = false;
  inputs.forEach(function (input) { input.addEventListener("input", update); });
  update();
});

// Progressive enhancement only: a "Print" button (the browser's own print works as well).
document.addEventListener("DOMContentLoaded", function () {
  document.querySelectorAll("button[data-print]").forEach(function (button) {
    button.hidden = false;
    button.addEventListener("click", function () { window.print(); });
  });
});
