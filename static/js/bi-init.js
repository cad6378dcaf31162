// Runs before bootstrap-italia.bundle.min.js. The bundle's bootstrap.loadFonts() reads
// window.__PUBLIC_PATH__ (the fonts folder, no trailing slash). The portal declares the fonts in
// portal.css instead, so nothing calls loadFonts(); the path is set so that a call would work.
(function () {
  "use strict";
  var script = document.currentScript;
  var path = script && script.dataset.fontsPath;
  if (path) {
    window.__PUBLIC_PATH__ = path.replace(/\/+$/, "");
  }
})();
