// Shows the "Print this page" button; without JavaScript the browser's own print works the same.
document.querySelectorAll("[data-print]").forEach(function (button) {
  button.closest("[hidden]").hidden = false;
  button.addEventListener("click", function () { window.print(); });
});
