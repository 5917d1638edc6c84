// After htmx replaces the page's main part, move keyboard and screen-reader focus to its
// first heading, as a page load would. (No inline script: the CSP forbids it.)
document.addEventListener("htmx:afterSettle", function (event) {
  var main = document.getElementById("main");
  if (!main || !event.detail || !event.detail.elt) { return; }
  var heading = main.querySelector("h1");
  if (heading) {
    heading.setAttribute("tabindex", "-1");
    heading.focus({ preventScroll: true });
  }
});
