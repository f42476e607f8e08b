// The address picker with JavaScript: htmx swaps the commune list when the province changes, so the "Chọn"
// buttons that serve browsers without JavaScript are hidden. htmx must not add a <style> element (CSP).
(function () {
  "use strict";
  if (window.htmx) {
    window.htmx.config.includeIndicatorStyles = false;
  }
  document.documentElement.classList.add("js");
  document.addEventListener("htmx:afterSwap", function (event) {
    var target = event.detail.target;
    if (target && target.tagName === "SELECT") {
      target.value = "";
    }
  });
})();
