// Keyboard shortcuts as progressive enhancement: every action also works without JavaScript.
// Queue: j/k move between rows, Enter opens. Item: a/r approve/reject the focused related link,
// 0-9 then Enter sets quality, t puts the cursor at the end of the topics box, ? shows the help.
(function () {
  "use strict";
  var typing = function (el) { return el && (el.tagName === "INPUT" || el.tagName === "TEXTAREA" || el.tagName === "SELECT" || el.isContentEditable); };
  var digits = "";

  function rows() { return Array.prototype.slice.call(document.querySelectorAll("#queue tbody tr")); }
  function links() { return Array.prototype.slice.call(document.querySelectorAll(".related-link")); }

  function move(list, step) {
    if (list.length === 0) { return; }
    var index = list.indexOf(document.activeElement.closest ? document.activeElement.closest("tr, .related-link") : null);
    var next = list[Math.max(0, Math.min(list.length - 1, index + step))];
    var target = next.querySelector("a") && next.tagName === "TR" ? next.querySelector("a") : next;
    target.focus();
  }

  // Focus puts the caret at the start of a filled box; typing a topic belongs after the others.
  function focusAtEnd(box) {
    if (!box) { return false; }
    box.focus();
    var end = box.value.length;
    box.setSelectionRange(end, end);
    return true;
  }

  function decide(value) {
    var current = document.activeElement.closest && document.activeElement.closest(".related-link");
    if (!current) { return; }
    var radio = current.querySelector('input[type="radio"][value="' + value + '"]');
    if (radio && !radio.disabled) { radio.checked = true; }
  }

  document.addEventListener("keydown", function (e) {
    if (e.ctrlKey || e.metaKey || e.altKey || typing(e.target)) { return; }
    var quality = document.getElementById("Input_Quality");
    if (/^[0-9]$/.test(e.key) && quality) { digits = (digits + e.key).slice(-3); return; }
    if (e.key === "Enter" && digits && quality) { quality.value = digits; digits = ""; quality.focus(); e.preventDefault(); return; }
    digits = "";
    switch (e.key) {
      case "j": move(rows().length ? rows() : links(), 1); break;
      case "k": move(rows().length ? rows() : links(), -1); break;
      case "a": decide("Approved"); break;
      case "r": decide("Rejected"); break;
      case "t": if (focusAtEnd(document.getElementById("Input_Topics"))) { e.preventDefault(); } break;
      case "?": var help = document.getElementById("shortcut-help"); if (help) { help.hidden = !help.hidden; } break;
      default: return;
    }
  });
})();
