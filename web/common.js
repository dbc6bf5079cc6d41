// Small helpers shared by the pages. Nothing here decides who received what: every
// record comes from the lab server, read from its trace.

/** el("p", { class: "x", "data-socket": "bob" }, "text", child) */
export function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (value === undefined || value === null || value === false) continue;
    if (key === "class") node.className = value;
    else if (key.startsWith("on")) node.addEventListener(key.slice(2), value);
    else node.setAttribute(key, value === true ? "" : String(value));
  }
  for (const child of children.flat()) {
    if (child === undefined || child === null || child === false) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

/** Prose with its `backticked` names as code: the text between backticks, never HTML. */
export function prose(text) {
  return String(text ?? "").split("`").map((part, i) => (i % 2 ? el("code", {}, part) : part));
}

/**
 * A code block: the server's highlighted HTML when it sent one (syntect's classes,
 * its text escaped by the server), else the plain text.
 */
export function codeBlock(text, html) {
  const code = el("code", {});
  if (html) code.innerHTML = html;
  else code.textContent = text;
  return code;
}

export async function getJson(url) {
  const response = await fetch(url);
  const body = await response.json();
  if (!response.ok) throw new Error(body.error || response.statusText);
  return body;
}

// The token this page was served with: the server takes no request that changes
// the lab without it.
const token = document.querySelector('meta[name="lab-token"]')?.content ?? "";

export async function postJson(url, payload) {
  const response = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json", "x-lab-token": token },
    body: JSON.stringify(payload ?? {}),
  });
  const body = await response.json().catch(() => ({}));
  if (!response.ok) throw new Error(body.error || response.statusText);
  return body;
}

/** Every record of the lab `name`, old and new, once each, in order. */
export function follow(name, onRecord) {
  let seen = 0;
  const source = new EventSource(`/api/lab/${encodeURIComponent(name)}/events`);
  source.addEventListener("record", (event) => {
    const record = JSON.parse(event.data);
    if (record.seq < seen) return; // replayed after a reconnect
    seen = record.seq + 1;
    onRecord(record);
  });
  return source;
}

const still = matchMedia("(prefers-reduced-motion: reduce)");

/** A dot flying from one element to another: a delivery, drawn. */
export function fly(from, to, kind = "packet") {
  if (still.matches || !from || !to) return Promise.resolve();
  const a = from.getBoundingClientRect();
  const b = to.getBoundingClientRect();
  const dot = el("span", { class: `dot ${kind}`, "aria-hidden": "true" });
  document.body.append(dot);
  const x0 = a.left + a.width / 2, y0 = a.top + a.height / 2;
  const x1 = b.left + b.width / 2, y1 = b.top + b.height / 2;
  const animation = dot.animate(
    [
      { transform: `translate(${x0}px, ${y0}px) scale(0.6)`, opacity: 0.2 },
      { transform: `translate(${(x0 + x1) / 2}px, ${Math.min(y0, y1) - 30}px) scale(1)`, opacity: 1 },
      { transform: `translate(${x1}px, ${y1}px) scale(0.8)`, opacity: 0.9 },
    ],
    { duration: 650, easing: "ease-in-out" },
  );
  return animation.finished.catch(() => {}).then(() => dot.remove());
}

/** Keys for the controls, ignored while typing. */
export function keys(map) {
  document.addEventListener("keydown", (event) => {
    const typing = event.target.closest?.("input, textarea, select, [contenteditable]");
    if (typing || event.ctrlKey || event.metaKey || event.altKey) return;
    const action = map[event.key];
    if (action) {
      event.preventDefault();
      action();
    }
  });
}

/** Replaces a node's children, leaving out the absent ones (null, false). */
export function fill(node, ...children) {
  node.replaceChildren(...children.flat().filter((c) => c !== null && c !== undefined && c !== false));
}

/** A button that switches something on and off, saying which through aria-pressed. */
export function toggle(button, changed) {
  button.addEventListener("click", () => {
    const on = button.getAttribute("aria-pressed") !== "true";
    button.setAttribute("aria-pressed", String(on));
    changed(on);
  });
}

/** How long reading `text` takes at `wpm` words a minute (the demo's `--pace`), at
 *  least `least` milliseconds; `null` when the page should not go on by itself. */
export function readingMs(text, wpm, least = 2500) {
  if (!wpm) return null;
  const words = String(text ?? "").split(/\s+/).filter(Boolean).length;
  return Math.max(least, Math.round((words * 60000) / wpm));
}
