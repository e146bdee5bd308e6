// Quick exit: leave for a neutral site at once, replacing this page in the history and clearing what
// this site may have kept in the browser. Esc does the same. Without JavaScript the link still works.
(function () {
  "use strict";
  var link = document.getElementById("quick-exit");
  if (!link) { return; }
  function leave(event) {
    if (event) { event.preventDefault(); }
    try { window.sessionStorage.clear(); window.localStorage.clear(); } catch (e) { /* storage may be off */ }
    document.body.innerHTML = "";
    document.title = "";
    window.location.replace(link.getAttribute("data-exit"));
  }
  link.addEventListener("click", leave);
  document.addEventListener("keydown", function (event) {
    if (event.key === "Escape") { leave(event); }
  });
}());
