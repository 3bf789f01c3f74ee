/* Character count (the GOV.UK Design System pattern), a progressive enhancement.

   Without JavaScript a field with a limit says "At most N characters." and the browser stops
   at N. With it, that hint stays and a line under the field counts down as you type: "You
   have 12 characters left", or "3 characters too many" (the maxlength attribute goes, so a
   pasted text is not cut off unseen; the server refuses a text that is too long). The line a
   screen reader hears is a separate polite live region, updated a second after typing
   stops, so it does not talk over every key. The words come from the page (data-count-*
   attributes, translated by the catalogues); %{count} stands for the number. */
(function () {
  "use strict";
  var DELAY = 1000;
  var lang = document.documentElement.lang || "nl";
  var rules = window.Intl && Intl.PluralRules ? new Intl.PluralRules(lang) : null;

  function plural(count) {
    var form = rules ? rules.select(count) : (count === 1 ? "one" : "other");
    return form === "one" ? "one" : "other";
  }

  function length(input) {
    var value = input.value;
    var count = Array.from(value).length; // characters, as the server counts them
    if (input.tagName === "TEXTAREA") {
      count += (value.match(/\n/g) || []).length; // a line break is sent as two (CR LF)
    }
    return count;
  }

  function enhance(field) {
    var input = field.querySelector("input, textarea");
    var max = parseInt(field.getAttribute("data-count-max"), 10);
    if (!input || !max) return;
    input.removeAttribute("maxlength");
    var shown = document.createElement("div");
    shown.className = "utrecht-form-field-description vb-count";
    shown.setAttribute("aria-hidden", "true");
    var heard = document.createElement("div");
    heard.className = "vb-visually-hidden vb-count__status";
    heard.setAttribute("aria-live", "polite");
    field.appendChild(shown);
    field.appendChild(heard);
    var timer = null;

    function say(announce) {
      var left = max - length(input);
      var over = left < 0;
      var count = Math.abs(left);
      var words = field.getAttribute("data-count-" + (over ? "over" : "under") + "-" + plural(count));
      var text = (words || "").replace("%{count}", String(count));
      shown.textContent = text;
      shown.classList.toggle("vb-count--over", over);
      input.classList.toggle("vb-count__input--over", over);
      if (announce) {
        window.clearTimeout(timer);
        timer = window.setTimeout(function () { heard.textContent = text; }, DELAY);
      }
    }

    input.addEventListener("input", function () { say(true); });
    say(false);
  }

  function start() {
    var fields = document.querySelectorAll("[data-count-max]");
    for (var i = 0; i < fields.length; i++) enhance(fields[i]);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
