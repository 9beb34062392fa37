// Refreshes the queue every few seconds: new handoffs appear without reloading the page.
(function () {
  const body = document.getElementById("queue");
  if (!body) return;
  function cell(row, text) { const td = document.createElement("td"); td.textContent = text; row.appendChild(td); return td; }
  async function refresh() {
    try {
      const answer = await fetch(body.dataset.source, {credentials: "same-origin"});
      if (!answer.ok) return;
      const rows = await answer.json();
      body.replaceChildren();
      if (!rows.length) {
        const empty = document.createElement("tr");
        cell(empty, "No hay conversaciones en espera.").colSpan = 4;
        body.appendChild(empty);
      }
      for (const item of rows) {
        const row = document.createElement("tr");
        const link = document.createElement("a");
        link.href = item.url;
        link.textContent = "#" + item.id;
        const first = cell(row, "");
        first.appendChild(link);
        if (item.interpreter) first.appendChild(document.createTextNode(" · intérprete: " + item.interpreter));
        cell(row, item.mine ? "tuya" : item.status);
        cell(row, item.reason);
        cell(row, item.waiting_minutes + " min");
        body.appendChild(row);
      }
    } catch (error) { /* the next refresh retries */ }
  }
  setInterval(refresh, 3000);
})();
