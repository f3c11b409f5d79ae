// Keyboard shortcuts and the lease countdown. Every page works without this file; it only saves keystrokes.
(function () {
  "use strict";

  var FOCUS_KEY = "workbench:focus-item";

  function isTyping(target) {
    if (!target || !target.closest) return false;
    return Boolean(target.closest("input, textarea, select, [contenteditable=''], [contenteditable='true']"));
  }

  function navItems() {
    // Items in a hidden tab are skipped: j and k move through what is on screen.
    return Array.prototype.slice.call(document.querySelectorAll("[data-nav-item]")).filter(function (item) {
      return !item.closest("[hidden]");
    });
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
      case "x": if (!toggleCurrentRow()) return; break;
      case "/": {
        var search = document.querySelector("[data-hotkey='/']");
        if (!search) return;
        search.focus();
        break;
      }
      case "a": decide("accept"); break;
      case "r": decide("reject"); break;
      case "e": showTab("evidence"); if (!focusForm("#evidence-form")) return; break;
      case "v": if (!focusForm("#verdict-form")) return; break;
      case "?": showHelp(); break;
      default: return;
    }
    event.preventDefault();
  });

  document.addEventListener("click", function (event) {
    if (event.target.closest && event.target.closest("[data-hotkey-help]")) showHelp();
  });

  // Bulk selection in the queue: boxes, x on the current row, shift-click for a range.
  var lastBox = null;
  function bulkBoxes() { return Array.prototype.slice.call(document.querySelectorAll("[data-bulk-item]")); }
  function bulkRefresh() {
    var boxes = bulkBoxes();
    var chosen = boxes.filter(function (box) { return box.checked; }).length;
    boxes.forEach(function (box) { var row = box.closest("tr"); if (row) row.classList.toggle("selected", box.checked); });
    var count = document.querySelector("[data-bulk-count]");
    if (count) count.textContent = chosen + " selected";
    var all = document.querySelector("[data-bulk-all]");
    if (all) all.checked = boxes.length > 0 && chosen === boxes.length;
  }
  function toggleCurrentRow() {
    var item = currentItem();
    var row = item && item.closest ? item.closest("tr") : null;
    var box = row ? row.querySelector("[data-bulk-item]") : null;
    if (!box) return false;
    box.checked = !box.checked;
    lastBox = box;
    bulkRefresh();
    return true;
  }
  document.addEventListener("click", function (event) {
    var target = event.target;
    if (!target.matches) return;
    if (target.matches("[data-bulk-all]")) {
      bulkBoxes().forEach(function (box) { box.checked = target.checked; });
      bulkRefresh();
    } else if (target.matches("[data-bulk-item]")) {
      if (event.shiftKey && lastBox && lastBox !== target) {
        var boxes = bulkBoxes(), from = boxes.indexOf(lastBox), to = boxes.indexOf(target);
        boxes.slice(Math.min(from, to), Math.max(from, to) + 1).forEach(function (box) { box.checked = target.checked; });
      }
      lastBox = target;
      bulkRefresh();
    }
  });
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form.matches || !form.matches("[data-bulk]")) return;
    if (!bulkBoxes().some(function (box) { return box.checked; })) {
      event.preventDefault();
      var count = document.querySelector("[data-bulk-count]");
      if (count) count.textContent = "Select claims first";
    }
  }, true);

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
    var panes = document.querySelectorAll(".workspace .pane");
    var article = document.querySelector(".workspace .article");
    if (!article || getComputedStyle(article).position !== "sticky") return null;
    panes.forEach(function (pane) {
      var top = Math.max(0, pane.getBoundingClientRect().top);
      pane.style.maxHeight = Math.max(240, window.innerHeight - top - 12) + "px";
    });
    return article;
  }

  function revealClaim() {
    var pane = fitArticle();
    var mark = document.getElementById("claim-in-article");
    if (!pane || !mark || pane.scrollHeight <= pane.clientHeight) return;
    var offset = mark.getBoundingClientRect().top - pane.getBoundingClientRect().top;
    pane.scrollTop = Math.max(0, pane.scrollTop + offset - pane.clientHeight / 3);
  }

  window.addEventListener("resize", fitArticle);

  // Tabs (suggestions, evidence, history) in the workspace. Without this script every panel shows.
  function showTab(name) {
    var tabs = document.querySelector("[data-tabs]");
    if (!tabs) return false;
    var found = false;
    tabs.querySelectorAll("[role=tab]").forEach(function (tab) {
      var selected = tab.getAttribute("data-tab") === name;
      found = found || selected;
      tab.setAttribute("aria-selected", selected ? "true" : "false");
      tab.tabIndex = selected ? 0 : -1;
      var panel = document.getElementById(tab.getAttribute("aria-controls"));
      if (panel) panel.hidden = !selected;
    });
    return found;
  }

  function setUpTabs() {
    var tabs = document.querySelector("[data-tabs]");
    if (!tabs) return;
    var wanted = (location.hash || "").slice(1);
    var selected = tabs.querySelector("[role=tab][aria-selected=true]");
    if (!showTab(wanted)) showTab(selected ? selected.getAttribute("data-tab") : "suggestions");
  }

  document.addEventListener("click", function (event) {
    var tab = event.target.closest ? event.target.closest("[role=tab][data-tab]") : null;
    if (tab) showTab(tab.getAttribute("data-tab"));
  });

  // A form larger than the server accepts is stopped here, before it is sent: the server could
  // only refuse it, and what was typed would be gone from the page.
  function formBytes(form) {
    var total = 0;
    form.querySelectorAll("textarea, input:not([type=file])").forEach(function (field) {
      total += new Blob([field.value || ""]).size;
    });
    return total;
  }

  document.addEventListener("submit", function (event) {
    var limit = Number(document.body.getAttribute("data-max-post-bytes"));
    var form = event.target;
    if (!limit || !form || (form.method || "").toLowerCase() !== "post") return;
    var size = formBytes(form);
    if (size <= limit) return;
    event.preventDefault();
    event.stopImmediatePropagation();
    var largest = null;
    form.querySelectorAll("textarea, input").forEach(function (field) {
      if (!largest || (field.value || "").length > (largest.value || "").length) largest = field;
    });
    var note = form.querySelector(".too-large");
    if (!note) {
      note = document.createElement("span");
      note.className = "error too-large";
      note.setAttribute("role", "alert");
      (largest || form).insertAdjacentElement("afterend", note);
    }
    note.textContent = "Too large to send: " + (size / 1048576).toFixed(1) + " MB, and this workbench takes at most " +
      (limit / 1048576).toFixed(1) + " MB. Nothing was sent and your text is still here; shorten it and try again.";
    if (largest) largest.focus();
  }, true);

  function arrive() { setUpTabs(); restoreFocus(); tickLeases(); revealClaim(); }

  document.addEventListener("DOMContentLoaded", arrive);
  document.addEventListener("htmx:afterSettle", function (event) {
    if (event.target === document.body) arrive();
    else { tickLeases(); setUpTabs(); }
  });
  setInterval(tickLeases, 1000);
})();
