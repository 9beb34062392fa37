// The inbox follows itself: the queue shows new handoffs, and a conversation's transcript
// shows new messages and how far each reply got, every few seconds, without reloading.
(function () {
  const EVERY_MS = 3000;
  const body = document.getElementById("queue");
  const lines = document.getElementById("lines");

  function cell(row, text) { const td = document.createElement("td"); td.textContent = text; row.appendChild(td); return td; }
  async function fetched(url, read, headers = {}) {
    try {
      const answer = await fetch(url, {credentials: "same-origin", headers: headers});
      return answer.ok ? await read(answer) : null;
    } catch (error) { return null; }  // the next refresh retries
  }

  async function refreshQueue() {
    const rows = await fetched(body.dataset.source, (answer) => answer.json());
    if (!rows) return;
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
  }

  // The transcript stays at its newest message, unless staff scrolled up to read.
  const atEnd = () => lines.scrollHeight - lines.scrollTop - lines.clientHeight < 40;
  const toEnd = () => { lines.scrollTop = lines.scrollHeight; };
  let version = null;  // the ETag of the transcript shown: unchanged, the server answers 304
  async function refreshLines() {
    const headers = version ? {"If-None-Match": version} : {};
    const html = await fetched(lines.dataset.source, async (answer) => {
      if (answer.status !== 200) return null;
      version = answer.headers.get("ETag");
      return answer.text();
    }, headers);
    if (html === null) return;
    const follow = atEnd();
    lines.innerHTML = html;  // rendered and escaped by the server's own template
    if (follow) toEnd();
  }

  if (body) setInterval(refreshQueue, EVERY_MS);
  if (lines) { toEnd(); setInterval(refreshLines, EVERY_MS); }
})();
