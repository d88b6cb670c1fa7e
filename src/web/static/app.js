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
