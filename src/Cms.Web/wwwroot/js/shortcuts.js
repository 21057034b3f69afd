// Keyboard shortcuts as progressive enhancement: every action also works without JavaScript.
// Queue: j/k move between rows, Enter opens. Item: a/r approve/reject the focused related link,
// 0-9 then Enter sets quality, t puts the cursor at the end of the topics box, s saves, n saves and
// opens the next item, m saves and marks ready, Shift+M saves, marks ready and opens the next item;
// ? shows the help as a dialog over the page.
(function () {
  "use strict";
  // Keys belong to a field that takes text; a ticked radio or checkbox does not (the shortcuts
  // work right after a click on a link's decision).
  var textTypes = ["text", "search", "number", "email", "password", "url", "tel", "date", "datetime-local", "month", "week", "time"];
  var typing = function (el) {
    if (!el) { return false; }
    if (el.tagName === "INPUT") { return textTypes.indexOf((el.getAttribute("type") || "text").toLowerCase()) >= 0; }
    return el.tagName === "TEXTAREA" || el.tagName === "SELECT" || el.isContentEditable;
  };
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
    if (radio && !radio.disabled) { radio.checked = true; radio.dispatchEvent(new Event("change", { bubbles: true })); }
  }

  // Clicks a button of the page (so the form's own submission runs, with the button's formaction).
  function press(id) {
    var button = document.getElementById(id);
    if (!button || button.disabled) { return false; }
    button.click();
    return true;
  }

  var help = document.getElementById("shortcut-help");
  function toggleHelp() {
    if (!help || typeof help.showModal !== "function") { return; }
    if (help.open) { help.close(); } else { help.showModal(); }
  }
  Array.prototype.forEach.call(document.querySelectorAll("[data-shortcut-help]"), function (button) {
    button.addEventListener("click", toggleHelp);
  });


  document.addEventListener("keydown", function (e) {
    if (e.ctrlKey || e.metaKey || e.altKey || typing(e.target)) { return; }
    if (help && help.open && e.key !== "?") { return; }
    var quality = document.getElementById("Input_Quality");
    if (/^[0-9]$/.test(e.key) && quality) { digits = (digits + e.key).slice(-3); return; }
    if (e.key === "Enter" && digits && quality) {
      quality.value = digits; digits = ""; quality.focus();
      quality.dispatchEvent(new Event("input", { bubbles: true }));
      e.preventDefault(); return;
    }
    digits = "";
    var handled = true;
    switch (e.key) {
      case "j": move(rows().length ? rows() : links(), 1); break;
      case "k": move(rows().length ? rows() : links(), -1); break;
      case "a": decide("Approved"); break;
      case "r": decide("Rejected"); break;
      case "t": handled = focusAtEnd(document.getElementById("Input_Topics")); break;
      case "s": handled = press("save"); break;
      case "n": handled = press("save-next"); break;
      case "m": handled = press("save-ready"); break;
      case "M": handled = press("save-ready-next"); break;
      case "?": toggleHelp(); break;
      default: return;
    }
    if (handled) { e.preventDefault(); }
  });
})();
