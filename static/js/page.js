// Small enhancements; everything works without them.
// "Print this page" buttons, and "Copy" buttons beside the link-kit fields.
document.querySelectorAll("[data-print]").forEach(function (button) {
  button.closest("[hidden]").hidden = false;
  button.addEventListener("click", function () { window.print(); });
});

document.querySelectorAll("[data-copy]").forEach(function (field) {
  if (!navigator.clipboard) { return; }
  var button = document.createElement("button");
  var label = field.labels && field.labels[0] ? field.labels[0].textContent.trim() : "this";
  button.type = "button";
  button.className = "button button--secondary button--small";
  button.textContent = "Copy";
  button.setAttribute("aria-label", "Copy " + label);
  var status = document.createElement("span");
  status.className = "copy-status";
  status.setAttribute("role", "status");
  button.addEventListener("click", function () {
    navigator.clipboard.writeText(field.value).then(function () { status.textContent = "Copied"; },
      function () { field.select(); status.textContent = "Press Ctrl+C to copy"; });
  });
  field.insertAdjacentElement("afterend", status);
  field.insertAdjacentElement("afterend", button);
});
