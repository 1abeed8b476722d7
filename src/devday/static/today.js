// The Today page, enhanced: the timer's elapsed time counts up, and a task block on the
// timeline can be dragged to a new start time. Both only add to the server-rendered page:
// without this script the forms in #today-blocks do the same work.
(function () {
  "use strict";

  var GRID_MINUTES = 5;

  function formatElapsed(seconds) {
    var minutes = Math.floor(seconds / 60);
    var hours = Math.floor(minutes / 60);
    var rest = minutes % 60;
    if (!hours) return rest + "m";
    return rest ? hours + "h" + (rest < 10 ? "0" : "") + rest : hours + "h";
  }

  function tickTimer() {
    var elapsed = document.querySelector("#timer .elapsed[data-seconds]");
    if (!elapsed) return;
    // Counts from the server's figure, so a skewed browser clock cannot make it wrong.
    var base = parseInt(elapsed.getAttribute("data-seconds"), 10) || 0;
    var loaded = Date.now();
    window.setInterval(function () {
      elapsed.textContent = formatElapsed(base + Math.floor((Date.now() - loaded) / 1000));
    }, 15000);
  }

  function clockText(minuteOfDay) {
    var h = Math.floor(minuteOfDay / 60) % 24;
    var m = minuteOfDay % 60;
    return (h < 10 ? "0" : "") + h + ":" + (m < 10 ? "0" : "") + m;
  }

  function enableDrag() {
    var svg = document.getElementById("timeline");
    if (!svg || !svg.getScreenCTM) return;
    var first = parseFloat(svg.getAttribute("data-first-minute"));
    var perMinute = parseFloat(svg.getAttribute("data-px-per-minute"));
    var pad = parseFloat(svg.getAttribute("data-pad"));
    if (isNaN(first) || isNaN(perMinute) || isNaN(pad)) return;
    svg.classList.add("draggable");

    var drag = null;

    function svgY(event) {
      var matrix = svg.getScreenCTM();
      if (!matrix) return 0;
      var point = svg.createSVGPoint();
      point.x = event.clientX;
      point.y = event.clientY;
      return point.matrixTransform(matrix.inverse()).y;
    }

    function moveForm(blockId) {
      var row = document.querySelector('#today-blocks li[data-block-id="' + blockId + '"]');
      return row ? row.querySelector("form.move-form") : null;
    }

    // A block's shape and its words are drawn in separate layers; they move together.
    function moveTo(state, transform) {
      [state.block, state.words].forEach(function (el) {
        if (!el) return;
        if (transform) el.setAttribute("transform", transform);
        else el.removeAttribute("transform");
      });
    }

    svg.addEventListener("pointerdown", function (event) {
      var block = event.target.closest ? event.target.closest("g.block") : null;
      if (!block || block.classList.contains("done") || event.button !== 0) return;
      var form = moveForm(block.getAttribute("data-block-id"));
      var rect = block.querySelector("rect");
      if (!form || !rect) return;
      var id = block.getAttribute("data-block-id");
      drag = {
        block: block,
        words: svg.querySelector('g.words[data-label-for="' + id + '"]'),
        form: form,
        startY: svgY(event),
        top: parseFloat(rect.getAttribute("y")),
        offset: 0,
      };
      block.classList.add("dragging");
      svg.setPointerCapture(event.pointerId);
      event.preventDefault();
    });

    svg.addEventListener("pointermove", function (event) {
      if (!drag) return;
      var minutes = (svgY(event) - drag.startY) / perMinute;
      var snapped = Math.round(minutes / GRID_MINUTES) * GRID_MINUTES;
      drag.offset = snapped;
      moveTo(drag, "translate(0 " + snapped * perMinute + ")");
    });

    function finish(event) {
      if (!drag) return;
      var current = drag;
      drag = null;
      current.block.classList.remove("dragging");
      if (svg.hasPointerCapture(event.pointerId)) svg.releasePointerCapture(event.pointerId);
      if (event.type === "pointercancel" || current.offset === 0) {
        moveTo(current, null);
        return;
      }
      var startMinute = Math.round(first + (current.top - pad) / perMinute + current.offset);
      var input = current.form.querySelector('input[name="time"]');
      if (!input || startMinute < 0) {
        moveTo(current, null);
        return;
      }
      input.value = clockText(startMinute);
      if (current.form.requestSubmit) current.form.requestSubmit();
      else current.form.submit();
    }

    svg.addEventListener("pointerup", finish);
    svg.addEventListener("pointercancel", finish);
  }

  function start() {
    tickTimer();
    enableDrag();
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
