// After htmx replaces the page's main part (an interview step), move keyboard and
// screen-reader focus to its first heading, as a page load would. Smaller swaps (the home
// page's live search results) leave focus where it is. No inline script: the CSP forbids it.
document.addEventListener("htmx:afterSettle", function (event) {
  var target = event.detail && event.detail.target;
  if (!target || target.id !== "main") { return; }
  var main = document.getElementById("main");  // after an outerHTML swap, the new element
  var heading = main && main.querySelector("h1");
  if (heading) {
    heading.setAttribute("tabindex", "-1");
    heading.focus({ preventScroll: true });
  }
});

// dates in the reader's time zone: the server writes each <time data-when> in UTC; rewrite it in
// the browser's time zone, in the page's language (the reader's own variant of it, if any).
(function () {
  var styles = {
    minutes: { dateStyle: "medium", timeStyle: "short" },
    seconds: { dateStyle: "medium", timeStyle: "medium" },
    date: { dateStyle: "medium" }
  };
  function localise(root) {
    var lang = document.documentElement.lang || "en";
    var locale = (navigator.languages || []).filter(function (l) { return l.split("-")[0] === lang; })[0] || lang;
    root.querySelectorAll("time[data-when]:not([data-local])").forEach(function (node) {
      var moment = new Date(node.getAttribute("datetime"));
      if (isNaN(moment.getTime())) { return; }
      node.title = node.textContent;  // the UTC time stays on hover
      node.textContent = new Intl.DateTimeFormat(locale, styles[node.dataset.when] || styles.minutes).format(moment);
      node.setAttribute("data-local", "");
    });
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", function () { localise(document); });
  } else {
    localise(document);
  }
  document.addEventListener("htmx:load", function (event) { localise(event.detail.elt || document); });
})();

// A page answering a form that must not be sent twice (a new share link, shown this once): make
// the browser's history entry a plain visit of the same address, so that reloading it reads the
// page again instead of posting the form a second time.
if (typeof window !== "undefined" && window.history && window.history.replaceState &&
    document.querySelector("[data-posted-once]")) {
  window.history.replaceState(null, "", window.location.href);
}
