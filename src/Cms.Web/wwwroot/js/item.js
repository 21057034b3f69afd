// The item page, as progressive enhancement (without JavaScript every form still works):
// topics as removable chips, a placeholder with the URL for an image that fails to load, and a warning before leaving the
// page (closing, reloading, Next/Previous, a form other than the edit form) with unsaved changes in the edit form.
(function () {
  "use strict";

  function showFallback(img) {
    var caption = img.parentNode && img.parentNode.querySelector(".image-fallback");
    if (caption) { caption.hidden = false; img.hidden = true; }
  }
  Array.prototype.forEach.call(document.querySelectorAll("img[data-fallback]"), function (img) {
    img.addEventListener("error", function () { showFallback(img); });
    // It may have failed before this script ran.
    if (img.complete && img.naturalWidth === 0 && img.getAttribute("src")) { showFallback(img); }
  });

  // Topics as removable chips above the comma-separated box (which stays the field that is posted).
  var topics = document.getElementById("Input_Topics");
  if (topics) {
    var chips = document.createElement("div");
    chips.className = "topic-chips";
    chips.id = "topic-chips";
    topics.parentNode.insertBefore(chips, topics);
    var names = function () {
      return topics.value.split(",").map(function (n) { return n.trim(); }).filter(function (n) { return n.length > 0; });
    };
    var render = function () {
      chips.textContent = "";
      names().forEach(function (name) {
        var chip = document.createElement("button");
        chip.type = "button";
        chip.className = "btn btn-sm btn-outline-secondary topic-chip";
        chip.textContent = name + " \u00d7";
        chip.setAttribute("aria-label", "Remove topic " + name);
        chip.addEventListener("click", function () {
          topics.value = names().filter(function (n) { return n !== name; }).join(", ");
          topics.dispatchEvent(new Event("input", { bubbles: true }));
        });
        chips.appendChild(chip);
      });
    };
    topics.addEventListener("input", render);
    render();

    // Suggestions for every topic in the box, not only the first: the browser matches a datalist
    // option against the whole value, so each option is the topics typed so far plus a suggestion
    // for the one being typed after the last comma.
    var list = document.getElementById(topics.getAttribute("list") || "");
    if (list) {
      var vocabulary = Array.prototype.map.call(list.options, function (o) { return o.value; });
      var suggest = function () {
        var value = topics.value;
        var cut = value.lastIndexOf(",");
        var before = cut < 0 ? "" : value.slice(0, cut + 1) + " ";
        var typed = (cut < 0 ? value : value.slice(cut + 1)).trim().toLowerCase();
        var chosen = names().map(function (n) { return n.toLowerCase(); });
        list.textContent = "";
        vocabulary.filter(function (t) {
          var lower = t.toLowerCase();
          return lower.indexOf(typed) >= 0 && (chosen.indexOf(lower) < 0 || lower === typed);
        }).slice(0, 50).forEach(function (t) {
          var option = document.createElement("option");
          option.value = before + t;
          list.appendChild(option);
        });
      };
      topics.addEventListener("input", suggest);
      topics.addEventListener("focus", suggest);
    }
  }

  var form = document.getElementById("edit-form");
  if (!form) { return; }
  var dirty = false;
  var submitting = false;
  form.addEventListener("input", function () { dirty = true; });
  form.addEventListener("change", function () { dirty = true; });
  // The edit form's own buttons (save, and every workflow move, which carries the edits) are a
  // deliberate leave; any other form (a revision, the schedule, sign-out) would drop the edits, so
  // it asks first.
  var otherForm = "This item has unsaved changes, and this button does not save them. Continue without saving?";
  document.addEventListener("submit", function (e) {
    if (e.target !== form && dirty && !window.confirm(otherForm)) { e.preventDefault(); return; }
    submitting = true;
  }, true);

  var message = "This item has unsaved changes. Leave without saving?";
  window.addEventListener("beforeunload", function (e) {
    if (dirty && !submitting) { e.preventDefault(); e.returnValue = message; return message; }
  });
  Array.prototype.forEach.call(document.querySelectorAll("#next-item, #previous-item"), function (link) {
    link.addEventListener("click", function (e) {
      if (dirty && !window.confirm(message)) { e.preventDefault(); return; }
      // Confirmed: the beforeunload warning would ask a second time.
      dirty = false;
    });
  });
})();
