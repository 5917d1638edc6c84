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
