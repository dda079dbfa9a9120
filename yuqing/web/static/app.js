/* Countdowns that tick, and a queue that refreshes itself. No libraries; text only. */
(function () {
  "use strict";

  function pad(n) { return (n < 10 ? "0" : "") + n; }

  function describe(ms) {
    var late = ms < 0;
    var s = Math.floor(Math.abs(ms) / 1000);
    var h = Math.floor(s / 3600), m = Math.floor((s % 3600) / 60), sec = s % 60;
    var text = h >= 48 ? Math.floor(h / 24) + "天" + (h % 24) + "小时"
                       : h + "小时" + pad(m) + "分" + pad(sec) + "秒";
    return { text: (late ? "超期 " : "剩 ") + text, late: late, soon: !late && s < 3600 };
  }

  function tick() {
    var now = Date.now();
    var nodes = document.querySelectorAll("[data-deadline]");
    for (var i = 0; i < nodes.length; i++) {
      var el = nodes[i];
      var at = Date.parse(el.getAttribute("data-deadline"));
      if (isNaN(at)) { continue; }
      var d = describe(at - now);
      el.textContent = d.text;
      el.classList.toggle("late", d.late);
      el.classList.toggle("soon", d.soon);
    }
  }

  function ids(tbody) {
    var seen = {};
    var rows = tbody.querySelectorAll("tr[data-id]");
    for (var i = 0; i < rows.length; i++) { seen[rows[i].getAttribute("data-id")] = true; }
    return seen;
  }

  function poll(tbody) {
    var url = tbody.getAttribute("data-refresh");
    var every = parseInt(tbody.getAttribute("data-interval"), 10) || 5000;
    function again() { window.setTimeout(run, every); }
    function run() {
      if (document.hidden) { again(); return; }
      fetch(url, { credentials: "same-origin", headers: { "Accept": "text/html" } })
        .then(function (res) {
          if (res.status === 401) { window.location.reload(); return null; }
          return res.ok ? res.text() : null;
        })
        .then(function (html) {
          if (html !== null && html !== undefined) {
            var before = ids(tbody);
            // the fragment is rendered by the server with autoescaping, like the page itself
            tbody.innerHTML = html;
            var rows = tbody.querySelectorAll("tr[data-id]");
            for (var i = 0; i < rows.length; i++) {
              if (!before[rows[i].getAttribute("data-id")]) { rows[i].classList.add("fresh"); }
            }
            tick();
          }
        })
        .catch(function () { /* network blip: try again next round */ })
        .then(again);
    }
    again();
  }

  // paper shows everything: the folded evidence and timeline print open
  window.addEventListener("beforeprint", function () {
    var folded = document.querySelectorAll("details:not([open])");
    for (var i = 0; i < folded.length; i++) { folded[i].setAttribute("open", ""); }
  });

  document.addEventListener("DOMContentLoaded", function () {
    tick();
    window.setInterval(tick, 1000);
    var tbody = document.getElementById("queue-rows");
    if (tbody && tbody.getAttribute("data-refresh")) { poll(tbody); }
  });
})();
