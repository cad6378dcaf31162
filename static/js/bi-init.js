// Bootstrap Italia's font loader reads this global before the bundle runs.
window.__PUBLIC_PATH__ = document.currentScript.dataset.fontsPath;
