// Fills the sign-up form's timezone with the browser's own IANA zone, on a fresh form only:
// a form shown again keeps what the user chose. Without script the field stays UTC.
document.addEventListener("DOMContentLoaded", function () {
  var field = document.getElementById("timezone");
  if (!field || !field.hasAttribute("data-from-browser") || !window.Intl) { return; }
  var zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
  if (zone) { field.value = zone; }
});
