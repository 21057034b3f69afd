// The item page's talk, live (progressive enhancement: every form also works by plain posts and a
// reload). live.js forwards the page's live events as "cms:live"; this script fetches what they
// point to: the comment threads (server-rendered, encoded), the item's version and state (another
// editor's save or move: "changed by X at T: reload"), the assignee. It also suggests people for
// "@" mentions from those who may read items.
(function () {
  "use strict";
  var panel = document.getElementById("comments");
  if (!panel || !window.fetch) { return; }
  var threads = document.getElementById("comment-threads");
  var notice = document.getElementById("live-changed");
  var item = (document.querySelector("[data-live-item]") || panel).getAttribute("data-live-item");
  var loadedVersion = panel.getAttribute("data-version");

  function get(url, type) {
    return fetch(url, { credentials: "same-origin", headers: { Accept: type } })
      .then(function (r) { return r.ok ? (type === "application/json" ? r.json() : r.text()) : null; })
      .catch(function () { return null; });
  }

  // Someone typing in a thread keeps their text: the list is replaced only when nobody is (an
  // edit box starts with the comment's text, so only a change counts).
  function busy() {
    var boxes = threads.querySelectorAll("textarea");
    for (var i = 0; i < boxes.length; i++) {
      if (boxes[i].value !== boxes[i].defaultValue || boxes[i] === document.activeElement) { return true; }
    }
    return false;
  }

  function say(text, withReload) {
    notice.textContent = text;
    if (withReload) {
      var link = document.createElement("a");
      link.href = window.location.pathname + window.location.search;
      link.textContent = "reload";
      notice.appendChild(document.createTextNode(" "));
      notice.appendChild(link);
    }
    notice.hidden = false;
  }

  function refreshThreads() {
    if (busy()) { say("New comments on this item:", true); return; }
    get(panel.getAttribute("data-comments-url"), "text/html").then(function (html) {
      if (html === null) { return; }
      threads.innerHTML = html;
      document.dispatchEvent(new CustomEvent("cms:comments"));
    });
  }

  function refreshItem() {
    get(panel.getAttribute("data-live-url"), "application/json").then(function (d) {
      if (!d) { return; }
      var assignee = document.getElementById("assignee");
      if (assignee) { assignee.textContent = "Now: " + (d.assignee || "nobody"); }
      if (String(d.version) !== loadedVersion) {
        say("Changed by " + (d.changedBy || "someone") + " at " + d.changedAt + " UTC (now " + d.state + "):", true);
      }
    });
  }

  document.addEventListener("cms:live", function (e) {
    var data = e.detail.data || {};
    if (data.item !== undefined && String(data.item) !== String(item)) { return; }
    switch (e.detail.type) {
      case "comment": refreshThreads(); break;
      case "item": refreshItem(); break;
      // The stream starts after the page was read: a save or move in between (its event reached
      // nobody) shows now, as the loaded version no longer matches.
      case "hello": refreshItem(); break;
      case "assignment": refreshItem(); break;
      case "resync": refreshThreads(); refreshItem(); break;
    }
  });

  // "@" suggestions: the word being typed after an @, completed from the people who may read items.
  var pending = null;
  function token(box) {
    var before = box.value.slice(0, box.selectionStart);
    var m = /(^|[\s(\["',])@([^\s@(),<>"']*)$/.exec(before);
    return m ? { start: before.length - m[2].length - 1, prefix: m[2] } : null;
  }
  function suggest(box) {
    var list = box.parentNode.querySelector(".mention-suggestions");
    if (!list) { return; }
    var t = token(box);
    if (!t) { list.hidden = true; return; }
    var asked = t.prefix;
    pending = asked;
    get("/live/people?item=" + encodeURIComponent(item) + "&q=" + encodeURIComponent(asked), "application/json").then(function (d) {
      if (pending !== asked || !d) { return; }
      while (list.firstChild) { list.removeChild(list.firstChild); }
      d.people.forEach(function (name) {
        var li = document.createElement("li");
        var button = document.createElement("button");
        button.type = "button";
        button.textContent = "@" + name;
        button.addEventListener("click", function () {
          var now = token(box) || t;
          box.value = box.value.slice(0, now.start) + "@" + name + " " + box.value.slice(box.selectionStart);
          list.hidden = true;
          box.focus();
        });
        li.appendChild(button);
        list.appendChild(li);
      });
      list.hidden = d.people.length === 0;
    });
  }
  document.addEventListener("input", function (e) {
    if (e.target.classList && e.target.classList.contains("mention-box")) { suggest(e.target); }
  });
})();
