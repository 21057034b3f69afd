// The live channel (progressive enhancement; every page also works on reload without it). One
// EventSource per page: /live, with ?item= on an item page and ?queue=true on the queue. Events carry ids only; this script
// fetches what changed: the inbox count, who else is on the item. Other scripts of the page get
// every event as a "cms:live" DOM event. EventSource reconnects by itself and sends Last-Event-ID,
// so the server replays what the inbox received meanwhile.
(function () {
  "use strict";
  var badge = document.getElementById("inbox-count");
  if (!badge || !window.EventSource || !window.fetch) { return; }
  var itemHolder = document.querySelector("[data-live-item]");
  var item = itemHolder ? itemHolder.getAttribute("data-live-item") : null;
  var queue = document.querySelector("[data-live-queue]");
  var url = badge.getAttribute("data-live") + (item ? "?item=" + encodeURIComponent(item) : queue ? "?queue=true" : "");
  var source = new EventSource(url);

  function json(path) {
    return fetch(path, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (r) { return r.ok ? r.json() : null; })
      .catch(function () { return null; });
  }

  function showCount(n) {
    badge.textContent = n > 0 ? String(n) : "";
    badge.hidden = !(n > 0);
    document.dispatchEvent(new CustomEvent("cms:inbox", { detail: { unread: n } }));
  }

  function refreshInbox() { json("/live/inbox").then(function (d) { if (d) { showCount(d.unread); } }); }

  function refreshPresence() {
    var box = document.getElementById("presence");
    var names = document.getElementById("presence-names");
    if (!item || !box || !names) { return; }
    json("/live/presence?item=" + encodeURIComponent(item)).then(function (d) {
      if (!d) { return; }
      names.textContent = d.others.join(", ");
      box.hidden = d.others.length === 0;
    });
  }

  function forward(type) {
    source.addEventListener(type, function (e) {
      var data = null;
      try { data = JSON.parse(e.data); } catch (err) { data = null; }
      document.dispatchEvent(new CustomEvent("cms:live", { detail: { type: type, data: data } }));
    });
  }

  // The queue: how many items of this view arrived since the page was read.
  var arrivals = document.getElementById("queue-arrivals");
  // (Not for a view the page refused: there is nothing to count, and the count's page answers 400.)
  function refreshArrivals() {
    if (!arrivals || document.getElementById("view-errors")) { return; }
    var url = arrivals.getAttribute("data-count-url");
    url += (url.indexOf("?") < 0 ? "?" : "&") + "since=" + encodeURIComponent(arrivals.getAttribute("data-since"));
    json(url).then(function (d) {
      if (!d || d.count === 0) { return; }
      while (arrivals.firstChild) { arrivals.removeChild(arrivals.firstChild); }
      var link = document.createElement("a");
      link.href = arrivals.getAttribute("data-show-url");
      link.id = "show-arrivals";
      link.textContent = (d.more ? "More than " + d.count : String(d.count)) + " new item" + (d.count === 1 && !d.more ? "" : "s") + " in this view: show";
      arrivals.appendChild(link);
      arrivals.hidden = false;
    });
  }

  // The stream starts after the page was read: what arrived in the view in between is counted now
  // (a queue event sent before the stream was registered reaches nobody).
  source.addEventListener("hello", function (e) {
    try { showCount(JSON.parse(e.data).unread); } catch (err) { refreshInbox(); }
    refreshPresence();
    refreshArrivals();
  });
  source.addEventListener("notification", refreshInbox);
  source.addEventListener("inbox", refreshInbox);
  source.addEventListener("presence", refreshPresence);
  source.addEventListener("queue", refreshArrivals);
  source.addEventListener("resync", function () { refreshInbox(); refreshPresence(); refreshArrivals(); });
  // The session ended (sign-out, lock): stop, do not reconnect.
  source.addEventListener("bye", function () { source.close(); });
  ["hello", "comment", "item", "assignment", "queue", "resync", "notification"].forEach(forward);
  // Leaving the page ends this editor's presence at once.
  window.addEventListener("pagehide", function () { source.close(); });
})();
