// Keyboard shortcuts and the lease countdown. Every page works without this file; it only saves keystrokes.
(function () {
  "use strict";

  var FOCUS_KEY = "workbench:focus-item";

  function isTyping(target) {
    if (!target || !target.closest) return false;
    return Boolean(target.closest("input, textarea, select, [contenteditable=''], [contenteditable='true']"));
  }

  function navItems() {
    return Array.prototype.slice.call(document.querySelectorAll("[data-nav-item]"));
  }

  function currentItem() {
    var active = document.activeElement;
    return active && active.closest ? active.closest("[data-nav-item]") : null;
  }

  function focusItem(item) {
    if (!item) return;
    item.focus();
    item.scrollIntoView({ block: "nearest" });
  }

  function move(step) {
    var items = navItems();
    if (!items.length) return;
    var index = items.indexOf(currentItem());
    var next = index < 0 ? (step > 0 ? 0 : items.length - 1) : Math.min(items.length - 1, Math.max(0, index + step));
    focusItem(items[next]);
  }

  function focusedSuggestion() {
    var item = currentItem();
    if (item && item.hasAttribute("data-suggestion")) return item;
    // Nothing focused: act on the first suggestion still waiting for a decision.
    var pending = document.querySelector("[data-suggestion] form[data-accept]");
    return pending ? pending.closest("[data-suggestion]") : null;
  }

  function submit(form) {
    if (!form) return;
    if (form.requestSubmit) form.requestSubmit();
    else form.submit();
  }

  function decide(kind) {
    var suggestion = focusedSuggestion();
    if (!suggestion) return;
    submit(suggestion.querySelector(kind === "accept" ? "form[data-accept]" : "form[data-reject]"));
  }

  function focusForm(selector) {
    var form = document.querySelector(selector);
    if (!form) return false;
    var field = form.querySelector("input:not([type=hidden]), select, textarea");
    form.scrollIntoView({ block: "nearest" });
    if (field) field.focus();
    return true;
  }

  function showHelp() {
    var dialog = document.getElementById("hotkeys");
    if (dialog && !dialog.open && dialog.showModal) dialog.showModal();
  }

  document.addEventListener("keydown", function (event) {
    if (event.ctrlKey || event.metaKey || event.altKey) return;
    if (isTyping(event.target)) {
      if (event.key === "Escape") event.target.blur();
      return;
    }
    var dialog = document.getElementById("hotkeys");
    if (dialog && dialog.open) return;
    switch (event.key) {
      case "j": move(1); break;
      case "k": move(-1); break;
      case "t": {
        var take = document.querySelector("[data-hotkey='t']");
        if (!take) return;
        take.click();
        break;
      }
      case "a": decide("accept"); break;
      case "r": decide("reject"); break;
      case "e": if (!focusForm("#evidence-form")) return; break;
      case "v": if (!focusForm("#verdict-form")) return; break;
      case "?": showHelp(); break;
      default: return;
    }
    event.preventDefault();
  });

  document.addEventListener("click", function (event) {
    if (event.target.closest && event.target.closest("[data-hotkey-help]")) showHelp();
  });

  // Deciding on a suggestion reloads the page; keep the reviewer's place in the list.
  document.addEventListener("submit", function (event) {
    var item = event.target.closest ? event.target.closest("[data-nav-item]") : null;
    if (item) {
      try { sessionStorage.setItem(FOCUS_KEY, String(navItems().indexOf(item))); } catch (e) { /* storage off */ }
    }
  });

  function restoreFocus() {
    var stored = null;
    try { stored = sessionStorage.getItem(FOCUS_KEY); sessionStorage.removeItem(FOCUS_KEY); } catch (e) { return; }
    if (stored === null) return;
    var items = navItems();
    if (items.length) focusItem(items[Math.min(items.length - 1, Number(stored))]);
  }

  function pad(n) { return (n < 10 ? "0" : "") + n; }

  function tickLeases() {
    var now = Date.now();
    document.querySelectorAll("[data-lease-expires]").forEach(function (node) {
      var left = Math.round((Date.parse(node.getAttribute("data-lease-expires")) - now) / 1000);
      if (isNaN(left)) return;
      node.textContent = left <= 0 ? "expired" : Math.floor(left / 60) + ":" + pad(left % 60);
      node.classList.toggle("lease-low", left > 0 && left < 300);
    });
  }

  // The article pane ends at the bottom of the window (however tall the claim header above it is),
  // and on arrival it is scrolled, on its own, so that the claim sits in its upper third.
  function fitArticle() {
    var pane = document.querySelector(".workspace .article");
    if (!pane || getComputedStyle(pane).position !== "sticky") return null;
    var top = Math.max(0, pane.getBoundingClientRect().top);
    pane.style.maxHeight = Math.max(240, window.innerHeight - top - 12) + "px";
    return pane;
  }

  function revealClaim() {
    var pane = fitArticle();
    var mark = document.getElementById("claim-in-article");
    if (!pane || !mark || pane.scrollHeight <= pane.clientHeight) return;
    var offset = mark.getBoundingClientRect().top - pane.getBoundingClientRect().top;
    pane.scrollTop = Math.max(0, pane.scrollTop + offset - pane.clientHeight / 3);
  }

  window.addEventListener("resize", fitArticle);

  function arrive() { restoreFocus(); tickLeases(); revealClaim(); }

  document.addEventListener("DOMContentLoaded", arrive);
  document.addEventListener("htmx:afterSettle", function (event) {
    if (event.target === document.body) arrive();
    else tickLeases();
  });
  setInterval(tickLeases, 1000);
})();
