// Placeholder: the page (branch serve-page) replaces this. It only shows
// that the page, the assets and /api/search fit together; text goes in as
// text (textContent), never as HTML.
"use strict";
(function () {
  const params = new URLSearchParams(location.search);
  const q = params.get("q");
  const box = document.getElementById("q");
  if (!q) return;
  box.value = q;
  fetch("/api/search?" + params.toString())
    .then((r) => r.json())
    .then((result) => {
      const list = document.getElementById("results");
      if (result.error) {
        const li = document.createElement("li");
        li.textContent = result.error;
        list.append(li);
        return;
      }
      for (const hit of result.hits) {
        const li = document.createElement("li");
        const a = hit.article;
        li.textContent = [a.outlet, a.date, a.title].filter(Boolean).join(" · ") + ": " + hit.passage.text;
        list.append(li);
      }
    });
})();
