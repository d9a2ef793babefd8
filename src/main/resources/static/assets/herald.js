// Herald panel enhancements. Every page works without this file; the CSP forbids inline scripts.
(function () {
  "use strict";

  // The organization switcher is a <details>; close it on Escape or a click elsewhere.
  document.addEventListener("click", function (event) {
    document.querySelectorAll("details.org-switcher[open]").forEach(function (d) {
      if (!d.contains(event.target)) d.removeAttribute("open");
    });
  });
  document.addEventListener("keydown", function (event) {
    if (event.key !== "Escape") return;
    document.querySelectorAll("details.org-switcher[open]").forEach(function (d) {
      d.removeAttribute("open");
      var summary = d.querySelector("summary");
      if (summary) summary.focus();
    });
  });

  // Make the links in captured mail (sandbox mailbox) clickable. Text nodes only: nothing is parsed as HTML.
  function linkify(pre) {
    var url = /https?:\/\/[^\s<>"']+/g;
    Array.prototype.slice.call(pre.childNodes).forEach(function (node) {
      if (node.nodeType !== Node.TEXT_NODE) return;
      var text = node.nodeValue, last = 0, match, fragment = document.createDocumentFragment();
      url.lastIndex = 0;
      while ((match = url.exec(text)) !== null) {
        var href = match[0].replace(/[.,;:!?)]+$/, "");
        fragment.appendChild(document.createTextNode(text.slice(last, match.index)));
        var a = document.createElement("a");
        a.href = href;
        a.textContent = href;
        fragment.appendChild(a);
        last = match.index + href.length;
        url.lastIndex = last;
      }
      if (last === 0) return;
      fragment.appendChild(document.createTextNode(text.slice(last)));
      pre.replaceChild(fragment, node);
    });
  }

  // A select-all box (data-select-all="name") ticks every checkbox of that name, and shows whether all are ticked.
  function selectAll(all) {
    var name = all.getAttribute("data-select-all");
    function boxes() {
      return Array.prototype.slice.call(document.querySelectorAll("input[type=checkbox][name='" + name + "']"));
    }
    function sync() {
      var list = boxes(), ticked = list.filter(function (b) { return b.checked; }).length;
      all.checked = list.length > 0 && ticked === list.length;
      all.indeterminate = ticked > 0 && ticked < list.length;
    }
    all.hidden = false;
    all.addEventListener("change", function () {
      boxes().forEach(function (b) { b.checked = all.checked; });
    });
    boxes().forEach(function (b) { b.addEventListener("change", sync); });
    sync();
  }

  function init() {
    document.querySelectorAll("pre.mail-body").forEach(linkify);
    document.querySelectorAll("input[type=checkbox][data-select-all]").forEach(selectAll);
    // Copy buttons (DNS records): shown only where the clipboard can be written; the value stays selectable without them.
    if (navigator.clipboard) {
      document.querySelectorAll("button[data-copy-from]").forEach(function (button) {
        button.hidden = false;
        button.addEventListener("click", function () {
          var source = document.getElementById(button.getAttribute("data-copy-from"));
          navigator.clipboard.writeText(source.textContent).then(function () { button.textContent = "Copied"; });
        });
      });
    }
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
