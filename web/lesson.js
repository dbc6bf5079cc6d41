// The lesson view: sockets as cards by namespace, the step's code and narration,
// and each delivery drawn from the server to the socket that received it. Every
// mark and line is taken from the record the lab server sends.
import { el, fill, getJson, postJson, follow, fly, keys, toggle, readingMs, prose, codeBlock } from "./common.js";

export async function show(main, name) {
  const meta = await getJson(`/api/lab/${encodeURIComponent(name)}`);
  document.title = `${meta.title} · socketio-lab`;
  const records = [];
  let shown = 0; // 1-based index of the record on screen; 0 before the first
  let waiting = false;
  let auto = false;
  let timer = null;

  const back = el("button", { type: "button", "aria-keyshortcuts": "ArrowLeft" }, "◀ Back");
  const next = el("button", { type: "button", class: "primary", "aria-keyshortcuts": "ArrowRight" }, "Next ▶");
  const autoButton = el("button", { type: "button", "aria-pressed": "false", "aria-keyshortcuts": "A" }, "Auto");
  const count = el("span", { class: "count", "aria-live": "polite" });
  const stage = el("section", { class: "stage", "aria-label": "Sockets, by namespace" });
  const story = el("section", { class: "story", "aria-live": "polite", "aria-label": "The step" });
  const steps = el("ol", { class: "steps", "aria-label": "Steps" });
  fill(main, 
    el("div", { class: "bar" },
      el("h1", {}, meta.title),
      el("div", { class: "controls", role: "group", "aria-label": "Steps" }, back, next, autoButton, count)),
    el("div", { class: "grid" }, stage, story, el("nav", { class: "outline", "aria-label": "Steps of the lesson" }, steps)),
  );
  main.dataset.lesson = name;

  function draw(animate) {
    const record = records[shown - 1];
    main.dataset.shown = String(shown);
    main.dataset.recorded = String(records.length);
    count.textContent = shown === 0 ? `${meta.steps.length} steps` : `Step ${shown} of ${meta.steps.length}`;
    back.disabled = shown <= 1;
    next.disabled = waiting || (shown >= meta.steps.length && shown >= records.length);
    drawSteps();
    if (!record) return drawIntro();
    if (record.kind === "error") {
      fill(story, el("p", { class: "bad", role: "alert" }, record.message));
      return;
    }
    drawStage(record);
    drawStory(record, shown < records.length);
    if (animate) deliveries(record);
  }

  // The outline: a step already run can be shown again (its recorded result).
  function drawSteps() {
    fill(steps, meta.steps.map((title, i) => {
      const n = i + 1;
      const current = n === shown ? "step" : null;
      const label = [`${n}. `, ...prose(title)];
      if (n > records.length) return el("li", { class: "todo" }, label);
      const jump = el("button", { type: "button", class: "link", "aria-current": current }, label);
      jump.addEventListener("click", () => { shown = n; draw(false); });
      return el("li", {}, jump);
    }));
  }

  function drawIntro() {
    fill(stage, 
      el("div", { class: "server", id: "server" }, "server · socketioxide on 127.0.0.1"),
      ...namespaces(meta.clients.map((c) => ({ ...c, present: false, rooms: [], received: [], mark: "" })), {}),
    );
    fill(story, 
      el("h2", {}, "Before the first step"),
      el("p", {}, prose(meta.intro)),
      el("p", { class: "muted" }, "Next runs each step on the lab server and shows what it observed. Keys: → next, ← back, A auto."),
    );
  }

  function namespaces(sockets, rooms) {
    const byNs = new Map();
    for (const s of sockets) {
      if (!byNs.has(s.namespace)) byNs.set(s.namespace, []);
      byNs.get(s.namespace).push(s);
    }
    return [...byNs].map(([ns, members]) => {
      const table = Object.entries(rooms[ns] || {}).map(([room, who]) =>
        el("li", {}, el("b", {}, room), `: ${who.join(", ")}`));
      return el("section", { class: "ns", "data-namespace": ns },
        el("h2", {}, "namespace ", el("code", {}, ns)),
        el("div", { class: "cards" }, members.map(card)),
        el("ul", { class: "rooms", "aria-label": `rooms of ${ns}` },
          table.length ? table : el("li", { class: "muted" }, "no rooms")));
    });
  }

  function card(s) {
    const got = s.received.map((r) => el("li", {}, el("code", {}, r.text)));
    const mark = s.mark === "✓" ? "received" : s.mark === "·" ? "received nothing" : "";
    return el("article", {
      class: `card${s.present ? "" : " away"}${s.mark === "✓" ? " got" : ""}`,
      "data-socket": s.name, "data-mark": s.mark, "data-received": s.received.length,
      "aria-label": `${s.name}${s.node ? ` on node ${s.node}` : ""}${s.present ? "" : ", not connected"}${mark ? `, ${mark}` : ""}`,
    },
      el("header", {},
        el("span", { class: "name" }, s.name),
        s.node ? el("span", { class: "node" }, `node ${s.node}`) : null,
        el("span", { class: "mark", "aria-hidden": "true" }, s.mark)),
      el("p", { class: "chips" }, s.present ? (s.rooms.length ? s.rooms.map((r) => el("span", { class: "chip" }, r)) : el("span", { class: "muted" }, "no rooms")) : el("span", { class: "muted" }, "not connected")),
      got.length ? el("ul", { class: "got" }, got) : s.mark === "·" ? el("p", { class: "nothing" }, "nothing") : null);
  }

  function drawStage(record) {
    fill(stage, 
      el("div", { class: "server", id: "server" }, "server · socketioxide on 127.0.0.1"),
      ...namespaces(record.sockets, record.rooms));
  }

  function drawStory(record, earlier) {
    const code = record.code;
    const who = record.actors.join(", ");
    const lines = [];
    if (code?.client) {
      lines.push(el("div", { class: "who" }, el("b", {}, who), " (client)"), el("pre", { class: "js" }, codeBlock(code.client, code.client_html)), el("div", { class: "who" }, "server"));
    } else {
      lines.push(el("div", { class: "who" }, el("b", {}, who), " asks the server to run"));
    }
    if (code) {
      // Each line after its number in the file `export` writes (index.js,
      // src/main.rs), as the terminal shows them; the page never wraps a line.
      const numbered = (text, html, numbers) => numbers
        ? el("div", { class: "numbered" }, el("code", { class: "gutter", "aria-hidden": "true" }, text.replace(/\n$/, "").split("\n").map((_, i) => numbers[i] ?? "").join("\n")), codeBlock(text, html))
        : codeBlock(text, html);
      lines.push(el("pre", { class: "js", "aria-label": "JavaScript" }, el("span", { class: "lang" }, code.js_lines ? "JS  index.js" : "JS"), numbered(code.js, code.js_html, code.js_lines)));
      lines.push(el("pre", { class: "rust", "aria-label": "Rust" }, el("span", { class: "lang" }, code.rust_lines ? "Rust  src/main.rs" : "Rust"), numbered(code.rust, code.rust_html, code.rust_lines)));
    }
    const outcomes = record.outcomes.map((o) =>
      el("li", { class: o.ok ? "good" : "warn" }, el("b", {}, o.name), ` ${o.text}`));
    const log = record.server_log.map((l) => el("li", {}, el("code", {}, l)));
    const sent = record.server_delivered_to;
    const verdict = record.problems.length
      ? record.problems.map((p) => el("p", { class: "bad" }, `✗ ${p}`))
      : record.expected ? [el("p", { class: "good" }, `✓ as the lesson predicted: ${record.expected.join(", ") || "nobody"}`)] : [];
    fill(story, 
      el("h2", {}, `${record.index}/${record.total}  `, ...prose(record.title)),
      earlier ? el("p", { class: "note" }, `This is the recorded result of step ${record.index}; Next goes on to step ${record.index + 1}.`) : null,
      el("div", { class: "code" }, lines),
      el("p", { class: "narration" }, prose(record.narration)),
      outcomes.length ? el("ul", { class: "outcomes" }, outcomes) : null,
      sent ? el("p", { class: "sent" }, `server sent `, el("code", {}, record.sent_event ?? record.event ?? ""), ` to ${sent.length ? sent.join(", ") : "nobody"}`) : null,
      // Only on the embedded server, where the Rust's own-id shims changed who got it.
      record.plain_socketioxide ? el("p", { class: "sent note" }, `plain socketioxide (no own-id rooms) would have sent it to ${record.plain_socketioxide.join(", ") || "nobody"}`) : null,
      log.length ? el("ul", { class: "log", "aria-label": "server log" }, log) : null,
      ...verdict,
      record.summary ? el("p", { class: record.summary.length > 1 ? "bad" : "good" }, record.summary.join(" ")) : null,
    );
  }

  async function deliveries(record) {
    const server = document.getElementById("server");
    const actor = stage.querySelector(`[data-socket="${CSS.escape(record.actor)}"]`);
    if (!record.delivers) return;
    await fly(actor, server, "request");
    const receivers = [...stage.querySelectorAll('[data-mark="✓"]')];
    await Promise.all(receivers.map((r) => fly(server, r)));
  }

  function scheduleAuto() {
    clearTimeout(timer);
    const record = records[shown - 1];
    const rest = readingMs(record?.narration, meta.words_per_minute ?? 220);
    if (auto && shown < meta.steps.length) timer = setTimeout(go, rest);
  }

  async function go() {
    if (shown < records.length) {
      shown += 1;
      draw(true);
      scheduleAuto();
      return;
    }
    if (records.length >= meta.steps.length || waiting) return;
    waiting = true;
    draw(false);
    try {
      await postJson(`/api/lab/${encodeURIComponent(name)}/next?after=${records.length}`);
    } catch (error) {
      waiting = false;
      story.prepend(el("p", { class: "bad", role: "alert" }, error.message));
      draw(false);
    }
  }

  function goBack() {
    if (shown > 1) {
      shown -= 1;
      auto = false;
      autoButton.setAttribute("aria-pressed", "false");
      draw(false);
    }
  }

  next.addEventListener("click", go);
  back.addEventListener("click", goBack);
  toggle(autoButton, (on) => {
    auto = on;
    if (auto) go();
    else clearTimeout(timer);
  });
  keys({ ArrowRight: go, ArrowLeft: goBack, a: () => autoButton.click() });

  follow(name, (record) => {
    records.push(record);
    if (waiting || shown === records.length - 1) {
      waiting = false;
      shown = records.length;
      draw(true);
      scheduleAuto();
    } else {
      draw(false);
    }
  });
  draw(false);
}
