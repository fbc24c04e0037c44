// Editors' Markdown fields in the admin: upload errors shown in words, a keyboard-friendly
// "Add a picture" button beside drag-and-drop, and a warning before leaving unsaved work.
(function () {
  "use strict";

  function csrfToken() {
    var input = document.querySelector("input[name=csrfmiddlewaretoken]");
    return input ? input.value : "";
  }

  function insertAtCursor(textarea, text) {
    var start = textarea.selectionStart, end = textarea.selectionEnd;
    textarea.value = textarea.value.slice(0, start) + text + textarea.value.slice(end);
    textarea.selectionStart = textarea.selectionEnd = start + text.length;
    textarea.dispatchEvent(new Event("input", { bubbles: true }));
    textarea.dispatchEvent(new KeyboardEvent("keyup", { bubbles: true }));
  }

  function errorText(detail) {
    try {
      var body = typeof detail === "string" ? JSON.parse(detail) : detail;
      return (body && body.error) || "The picture could not be uploaded.";
    } catch (e) {
      return "The picture could not be uploaded. Please try again.";
    }
  }

  function setUp(box) {
    var textarea = box.querySelector("textarea");
    var status = box.querySelector(".editor-status");
    var tools = box.querySelector(".editor-tools");
    var picker = box.querySelector("[data-editor-upload]");
    tools.hidden = false;

    // markdownx reports a refused upload by inserting "Invalid response" into the text;
    // take that out again and say what was wrong instead.
    box.addEventListener("markdownx.fileUploadError", function (event) {
      status.textContent = errorText(event.detail && event.detail[0]);
      setTimeout(function () { textarea.value = textarea.value.replace("Invalid response", ""); }, 0);
    });
    box.addEventListener("markdownx.fileUploadEnd", function () { status.textContent = "Picture added. Describe it in the square brackets."; });

    picker.addEventListener("change", function () {
      var file = picker.files[0];
      if (!file) { return; }
      var data = new FormData();
      data.append("image", file);
      data.append("csrfmiddlewaretoken", csrfToken());
      status.textContent = "Uploading " + file.name + "…";
      fetch(textarea.dataset.markdownxUploadUrlsPath, {
        method: "POST", body: data, credentials: "same-origin", headers: { "X-Requested-With": "XMLHttpRequest" }
      }).then(function (response) {
        return response.json();
      }).then(function (body) {
        if (body.image_code) {
          insertAtCursor(textarea, "\n" + body.image_code + "\n");
          status.textContent = "Picture added. Describe it in the square brackets.";
        } else {
          status.textContent = errorText(body);
        }
      }).catch(function () {
        status.textContent = "The picture could not be uploaded. Check your connection and try again.";
      }).finally(function () { picker.value = ""; });
    });
  }

  function warnBeforeLeavingUnsavedWork(form) {
    var changed = false, submitting = false;
    form.addEventListener("input", function () { changed = true; });
    form.addEventListener("change", function () { changed = true; });
    form.addEventListener("submit", function () { submitting = true; });
    window.addEventListener("beforeunload", function (event) {
      if (changed && !submitting) { event.preventDefault(); event.returnValue = ""; }
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll(".markdownx.editor").forEach(setUp);
    var form = document.querySelector("#content-main form");
    if (form && document.querySelector(".markdownx.editor")) { warnBeforeLeavingUnsavedWork(form); }
  });
})();
