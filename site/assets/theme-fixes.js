/* Small accessibility fixes to Material's own markup, found by the axe-core scan in
   tests/test_browser.py. Kept in a script (not a copied theme partial) so a theme update
   cannot silently undo them or be blocked by them. */
(function () {
  "use strict";
  function fix() {
    // The search overlay has role="dialog" but no name (axe: aria-dialog-name).
    var dialog = document.querySelector('.md-search[role="dialog"]');
    if (dialog && !dialog.hasAttribute("aria-label")) dialog.setAttribute("aria-label", "Search");
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", fix);
  else fix();
})();
