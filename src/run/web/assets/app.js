// supc run's web interface, improved where JavaScript runs: the status
// table refreshes itself, a filter box hides rows, actions run without
// leaving the page, and the tail page follows the log live. Every page
// works without this file.
"use strict";

(function () {
  const table = document.getElementById("processes");
  if (table) statusPage(table);
  const tail = document.getElementById("tailbody");
  if (tail && tail.dataset.follow) follow(tail);

  function statusPage(table) {
    const filter = document.getElementById("filter");
    filter.hidden = false;
    filter.value = sessionStorage.getItem("supc-filter") || "";
    const apply = () => {
      const words = filter.value.toLowerCase().split(/\s+/).filter(Boolean);
      sessionStorage.setItem("supc-filter", filter.value);
      for (const tr of table.tBodies[0].rows) {
        const text = tr.textContent.toLowerCase();
        tr.hidden = !words.every((w) => text.includes(w));
      }
    };
    filter.addEventListener("input", apply);
    apply();

    // Fetch the page again and put its table and message in place.
    let busy = false;
    async function refresh(url) {
      if (busy) return;
      busy = true;
      try {
        const res = await fetch(url || "index.html", { credentials: "same-origin" });
        const doc = new DOMParser().parseFromString(await res.text(), "text/html");
        const body = doc.querySelector("#processes tbody");
        if (body) table.tBodies[0].replaceWith(body);
        const msg = doc.getElementById("statusmessage");
        if (url && msg) document.getElementById("statusmessage").replaceWith(msg);
        apply();
      } catch (e) {
        // The runner may be restarting; the next tick tries again.
      } finally {
        busy = false;
      }
    }
    setInterval(() => refresh(), 2000);

    // Actions in place: the server redirects to /?message=..., which
    // fetch follows; the new table and message replace the old ones.
    document.addEventListener("click", (ev) => {
      const a = ev.target.closest("a.action, #refresh, #stopall, #restartall");
      if (!a || ev.ctrlKey || ev.metaKey || ev.shiftKey) return;
      ev.preventDefault();
      refresh(a.getAttribute("href"));
    });
  }

  async function follow(pre) {
    const box = document.getElementById("follow");
    box.parentElement.hidden = false;
    const res = await fetch(pre.dataset.follow, { credentials: "same-origin" });
    if (!res.ok || !res.body) return;
    pre.textContent = "";
    const reader = res.body.getReader();
    const decoder = new TextDecoder();
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      pre.append(decoder.decode(value, { stream: true }));
      if (box.checked) pre.scrollTop = pre.scrollHeight;
    }
  }
})();
