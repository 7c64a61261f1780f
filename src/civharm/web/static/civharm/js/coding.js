/* civharm: coding a passage of a revealed narrative. Turns the reader's selection inside
   #narrative-text into character offsets (each segment carries data-start, its offset in the
   narrative) and fills the coding form's start, end and passage fields. The server checks the
   passage against the offsets and searches it when they disagree, so nothing here is trusted.
   Never sends anything anywhere itself. */
(function () {
  "use strict";

  function offsetIn(container, node, offset) {
    // The offset in the narrative of (node, offset), or null outside the narrative.
    var element = node.nodeType === Node.TEXT_NODE ? node.parentElement : node;
    if (!element || !container.contains(element)) { return null; }
    if (element === container) {
      // Selection boundary between segments: the start of the child at that index.
      var child = container.childNodes[offset];
      if (!child) { return container.textContent.length; }
      return parseInt(child.dataset.start, 10);
    }
    var segment = element.closest("[data-start]");
    if (!segment) { return null; }
    var start = parseInt(segment.dataset.start, 10);
    return node.nodeType === Node.TEXT_NODE ? start + offset : start;
  }

  function showSelection(form, text) {
    var shown = form.querySelector(".selected-passage");
    if (!shown) {
      shown = document.createElement("q");
      shown.className = "selected-passage";
      form.querySelector("[name=passage]").closest("label").before(shown);
    }
    shown.textContent = text;
  }

  function onSelection(container, form) {
    var selection = window.getSelection();
    if (!selection || selection.rangeCount === 0 || selection.isCollapsed) { return; }
    var range = selection.getRangeAt(0);
    var start = offsetIn(container, range.startContainer, range.startOffset);
    var end = offsetIn(container, range.endContainer, range.endOffset);
    if (start === null || end === null || end <= start) { return; }
    var text = selection.toString();
    form.querySelector("[name=start]").value = String(start);
    form.querySelector("[name=end]").value = String(end);
    form.querySelector("[name=passage]").value = text;
    showSelection(form, text);
  }

  function clearOffsetsOnTyping(form) {
    // A passage typed by hand is searched by the server; stale offsets must not win.
    form.querySelector("[name=passage]").addEventListener("input", function () {
      form.querySelector("[name=start]").value = "";
      form.querySelector("[name=end]").value = "";
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    var container = document.getElementById("narrative-text");
    var form = document.getElementById("coding-form");
    if (!container || !form) { return; }
    container.addEventListener("mouseup", function () { onSelection(container, form); });
    // Phones move selection handles without mouse or key events: follow the selection itself.
    document.addEventListener("selectionchange", function () { onSelection(container, form); });
    clearOffsetsOnTyping(form);
  });
})();
