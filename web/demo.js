// The demo view: Ana's, Ben's and Caro's chat windows side by side, filled from the
// lab server's records of what each of their pages received, and the visitor's own
// window, a real Socket.IO client (the official one) of the same server.
import { el, fill, getJson, postJson, follow, fly, keys, toggle, readingMs } from "./common.js";

export async function show(main) {
  const meta = await getJson("/api/lab/demo");
  document.title = `${meta.title} · socketio-lab`;
  const params = new URLSearchParams(location.search);
  let auto = params.get("auto") !== "0" && !!meta.words_per_minute;
  let reading = meta.intro; // what is on screen to read before the next beat
  let beats = 0; // the story's beats recorded so far
  let seen = 0; // every record so far, visitors' included
  let waiting = false;
  let timer = null;

  const heading = el("h2", {}, "Nobody is here yet");
  const plain = el("p", { class: "plain" }, meta.intro);
  const glossary = el("p", { class: "glossary" });
  const next = el("button", { type: "button", class: "primary", "aria-keyshortcuts": "ArrowRight" }, "Next ▶");
  const pause = el("button", { type: "button", "aria-pressed": String(auto), "aria-keyshortcuts": "A" }, "Go by itself");
  const windows = new Map();
  const people = meta.clients.map((c) => {
    const list = el("ol", { class: "messages", "aria-label": `${title(c.name)}'s messages` });
    const state = el("span", { class: "state" }, "not here yet");
    const box = el("section", { class: "window", "data-person": c.name, "aria-label": `${title(c.name)}'s chat page` },
      el("h3", {}, title(c.name), state), list);
    windows.set(c.name, { box, list, state });
    return box;
  });
  const visitor = visitorWindow();
  const delivery = el("section", { class: "delivery", "aria-live": "polite", "aria-label": "Who received it" });
  const online = el("p", { class: "online" });
  fill(main, 
    el("div", { class: "bar" }, el("h1", {}, meta.title)),
    el("section", { class: "beat", "aria-live": "polite" }, heading, plain, glossary,
      el("div", { class: "controls", role: "group", "aria-label": "The story" }, next, pause)),
    online,
    el("div", { class: "windows" }, people, visitor.box),
    delivery,
  );
  main.dataset.beats = "0";

  function title(name) {
    return name.charAt(0).toUpperCase() + name.slice(1);
  }

  function add(record) {
    for (const w of record.windows) {
      const { list, state, box } = windows.get(w.name);
      state.textContent = w.open ? "online" : "page closed";
      box.classList.toggle("closed", !w.open);
      for (const note of w.open ? w.notes : []) list.append(el("li", { class: "note" }, note));
      for (const m of w.messages) list.append(el("li", { class: "msg" }, el("b", {}, m.from), " ", m.text));
      list.scrollTop = list.scrollHeight;
    }
    fill(online, el("b", {}, "online now: "), record.online.length ? record.online.join(", ") : "nobody");
    const sent = record.server_sent_to ?? record.server_delivered_to;
    const rows = record.sockets.map((s) =>
      el("li", { "data-socket": s.name, "data-mark": s.mark },
        el("span", { class: "mark", "aria-hidden": "true" }, s.mark || "–"), " ",
        el("b", {}, title(s.name)), " ",
        s.received.length ? `got ${s.received.map((r) => r.payload).join("; ")}` : !s.present ? "not here" : s.mark === "·" ? "got nothing" : "online; no message was sent"));
    fill(delivery, 
      el("h2", {}, `What arrived: ${record.title}`),
      el("ul", {}, rows),
      sent ? el("p", {}, `The chat server says it sent it to: ${sent.map(title).join(", ") || "nobody"}.`) : null,
      record.problems?.length ? el("p", { class: "bad" }, "✗ This did not go as it should have: ", record.problems.join("; ")) : null,
    );
    if (record.kind === "step" || record.kind === "visitor") {
      const from = record.kind === "visitor" ? visitor.box : windows.get(record.actor)?.box;
      for (const s of record.sockets) if (s.mark === "✓") fly(from, windows.get(s.name).box);
    }
  }

  function showBeat(record) {
    heading.textContent = `Beat ${beats} of ${meta.steps.length} · ${record.title}`;
    plain.textContent = record.plain;
    fill(glossary, ...record.glossary.map((g) => el("span", {}, el("b", {}, g.term), ` means ${g.meaning}. `)));
    if (record.summary) {
      glossary.append(el("p", { class: "summary" }, record.story_summary));
    }
  }

  follow("demo", (record) => {
    seen = record.seq + 1;
    main.dataset.records = String(seen);
    if (record.kind === "restart") {
      // The story starts again: every window empties, the intro is back.
      beats = 0;
      main.dataset.beats = "0";
      for (const { list, state, box } of windows.values()) {
        list.replaceChildren();
        state.textContent = "not here yet";
        box.classList.remove("closed");
      }
      heading.textContent = "Nobody is here yet";
      plain.textContent = meta.intro;
      glossary.replaceChildren();
      delivery.replaceChildren();
      reading = meta.intro;
      endOfStory();
      scheduleAuto();
      return;
    }
    if (record.kind === "error") {
      fill(delivery, el("p", { class: "bad", role: "alert" }, record.message));
      return;
    }
    if (record.kind === "step") {
      beats += 1;
      main.dataset.beats = String(beats);
      showBeat(record);
      reading = [record.plain, ...record.glossary.map((g) => `${g.term} ${g.meaning}`)].join(" ");
      waiting = false;
      scheduleAuto();
    }
    add(record);
    endOfStory();
  });

  // At the end (also for a visitor who arrives after it), Next becomes a way back
  // to the first beat.
  function endOfStory() {
    const ended = beats >= meta.steps.length;
    next.textContent = ended ? "↺ Start again" : "Next ▶";
    next.dataset.restart = String(ended);
  }

  function scheduleAuto() {
    clearTimeout(timer);
    const rest = readingMs(reading, meta.words_per_minute);
    if (auto && rest !== null && beats < meta.steps.length) timer = setTimeout(go, rest);
  }

  async function go() {
    if (waiting || (beats >= meta.steps.length && next.dataset.restart !== "true")) return;
    waiting = true;
    try {
      const restart = beats >= meta.steps.length;
      await postJson(restart ? "/api/lab/demo/restart" : `/api/lab/demo/next?after=${seen}`);
    } catch (error) {
      delivery.prepend(el("p", { class: "bad", role: "alert" }, error.message));
    } finally {
      waiting = false;
    }
  }

  next.addEventListener("click", go);
  toggle(pause, (on) => {
    auto = on;
    if (auto) scheduleAuto();
    else clearTimeout(timer);
  });
  keys({ ArrowRight: go, a: () => pause.click() });
  scheduleAuto();
}

/** The visitor's window: join with a name, then write to everyone. */
function visitorWindow() {
  const list = el("ol", { class: "messages", "aria-label": "Your messages" });
  const status = el("p", { class: "status", role: "status" });
  const nameInput = el("input", { id: "visitor-name", name: "name", maxlength: "20", autocomplete: "off", required: true, value: "Dana" });
  const join = el("form", { class: "join" },
    el("label", { for: "visitor-name" }, "Your name"), nameInput,
    el("button", { type: "submit", class: "primary" }, "Join the chat"));
  const text = el("input", { id: "visitor-text", name: "text", maxlength: "200", autocomplete: "off", required: true, disabled: true });
  const say = el("form", { class: "say" },
    el("label", { for: "visitor-text" }, "Message"), text,
    el("button", { type: "submit", disabled: true }, "Send"));
  const heading = el("h3", {}, "You", el("span", { class: "state" }, "not in the chat"));
  const box = el("section", { class: "window you", "data-person": "you", "aria-label": "Your chat page" },
    heading, list, join, say, status);
  let socket = null;
  let me = null;

  join.addEventListener("submit", async (event) => {
    event.preventDefault();
    status.textContent = "Asking the chat server…";
    try {
      const turn = await postJson("/api/demo/turn", { name: nameInput.value, joining: true });
      me = turn.name;
      socket = window.io("/", { auth: { name: me } });
      socket.on("chat message", (msg) => {
        list.append(el("li", { class: "msg" }, typeof msg === "string" ? msg : JSON.stringify(msg)));
        list.scrollTop = list.scrollHeight;
      });
      socket.on("connect", () => {
        heading.lastChild.textContent = `you are ${me}`;
        status.textContent = "You are in: what you send goes to everyone here.";
        join.hidden = true;
        text.disabled = false;
        say.querySelector("button").disabled = false;
        box.dataset.joined = me;
        text.focus();
      });
      socket.on("connect_error", (e) => { status.textContent = `Could not join: ${e.message}`; });
    } catch (error) {
      status.textContent = error.message;
    }
  });

  say.addEventListener("submit", async (event) => {
    event.preventDefault();
    const message = text.value.trim();
    if (!message || !socket) return;
    try {
      await postJson("/api/demo/turn", { name: me, joining: false });
      socket.emit("chat message", message);
      text.value = "";
    } catch (error) {
      status.textContent = error.message;
    }
  });

  return { box };
}
