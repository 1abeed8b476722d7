// A form that adds a task (data-once) disables its button once sent, so a double click sends
// it once. The server makes one task of it anyway (its one-time token); this only spares the
// second request.
document.addEventListener("submit", function (event) {
  var form = event.target;
  if (!form.hasAttribute || !form.hasAttribute("data-once")) { return; }
  window.setTimeout(function () {
    form.querySelectorAll("button[type=submit]").forEach(function (button) {
      button.disabled = true;
    });
  }, 0);
});
