// Progressive enhancements only: every page works without this file.
"use strict";

document.addEventListener("keydown", function (event) {
  // Number keys 1–9 choose the matching option of a guided call (not while typing).
  if (event.altKey || event.ctrlKey || event.metaKey) return;
  var target = event.target;
  if (target && (target.tagName === "INPUT" || target.tagName === "TEXTAREA" || target.isContentEditable)) {
    if (!(target.type === "checkbox")) return;
  }
  if (!/^[1-9]$/.test(event.key)) return;
  var form = document.querySelector("form[data-shortcuts]");
  if (!form) return;
  var choice = form.querySelector('[data-key="' + event.key + '"]');
  if (!choice) return;
  event.preventDefault();
  if (choice.tagName === "BUTTON") {
    choice.click();
  } else {
    var box = choice.querySelector("input[type=checkbox]");
    if (box) { box.checked = !box.checked; box.focus(); }
  }
});

document.addEventListener("DOMContentLoaded", function () {
  document.querySelectorAll("[data-print]").forEach(function (button) {
    button.hidden = false;
    button.addEventListener("click", function () { window.print(); });
  });
  // A guided call reloads after every answer: start at the new question, not at the top, so
  // screen readers announce it and the number keys keep working.
  var ask = document.getElementById("ask-h");
  if (ask) ask.focus();
  // While an operator holds a conversation, new messages from the user appear without reloading.
  var transcript = document.querySelector("#transcript[data-refresh]");
  if (transcript && window.fetch) {
    setInterval(function () {
      fetch(transcript.getAttribute("data-refresh"), { credentials: "same-origin" })
        .then(function (response) { return response.ok ? response.text() : null; })
        .then(function (html) { if (html !== null && html !== transcript.innerHTML) transcript.innerHTML = html; })
        .catch(function () {});
    }, 5000);
  }
});
