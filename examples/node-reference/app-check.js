// Drives a server that runs declared applications (docs/lab-protocol.md, "Declared
// applications") with the official JavaScript client, and prints what happened as
// one JSON document: the server's answer to `lab:app`, then for each step the notes
// the lab's control socket got and what each client received.
//
//   node app-check.js http://127.0.0.1:PORT < scenario.json
//
// A scenario: {"app": <app::App as JSON>, "steps": [...]}, each step one of
//   {"connect": "alice", "namespace": "/", "auth": {...}}   (auth defaults to {name})
//     with "answers": {"confirm": {"value": "got it", "after_ms": 0}}: how its
//     handler answers a server's acknowledgement request;
//     with "early": "hi": emits `hi` as soon as Socket.IO says connected, before
//     the server's `lab:welcome` (what a slow connection handler may miss)
//   {"emit": "alice", "event": "chat message", "args": ["hi"], "ack": true}
//   {"disconnect": "alice"}
// An argument {"sid_of": "host"} stands for that client's socket id (from its
// `lab:welcome`), which is how a player learns the id of a host's game room.
"use strict";

const { io } = require("socket.io-client");

const url = process.argv[2];
if (!url) {
  console.error("usage: node app-check.js URL < scenario.json");
  process.exit(2);
}

// Every wait is bounded; the whole check gives up after this.
const LIMIT_MS = 10000;
setTimeout(() => {
  console.error(`error: the check did not finish within ${LIMIT_MS} ms`);
  process.exit(1);
}, LIMIT_MS).unref();

const clients = new Map(); // name → { socket, received, sid }
let lab;
const notes = [];
const noteWaiters = [];

function readStdin() {
  return new Promise((resolve, reject) => {
    let text = "";
    process.stdin.setEncoding("utf8");
    process.stdin.on("data", (chunk) => (text += chunk));
    process.stdin.on("end", () => resolve(text));
    process.stdin.on("error", reject);
  });
}

// This run's lab session: the server runs the declared app for its sockets only.
const SESSION = `app-check-${process.pid}`;

function open(namespace, auth) {
  return io(url + (namespace === "/" ? "" : namespace), {
    auth: { ...auth, lab: SESSION },
    transports: ["websocket"],
    reconnection: false,
    forceNew: true,
  });
}

// Resolves with the first note (from now on or already kept since `since`) that
// `match` accepts.
function noteWhere(since, match) {
  const found = notes.slice(since).find(match);
  if (found) return Promise.resolve(found);
  return new Promise((resolve) => noteWaiters.push({ match, resolve }));
}

function connectLab() {
  lab = open("/lab", { name: "lab" });
  lab.on("lab:note", (note) => {
    notes.push(note);
    for (const waiter of noteWaiters.splice(0)) {
      if (waiter.match(note)) waiter.resolve(note);
      else noteWaiters.push(waiter);
    }
  });
  return new Promise((resolve, reject) => {
    lab.once("lab:welcome", resolve);
    lab.once("connect_error", reject);
  });
}

const ask = (socket, event, payload) => socket.timeout(LIMIT_MS).emitWithAck(event, payload);

// A connection is ordered: once each socket has its sync answer, it has everything
// the server sent it before, notes included.
async function barrier() {
  const live = [...clients.values()].filter((c) => c.socket.connected && c.sid);
  await Promise.all([ask(lab, "lab:sync", null), ...live.map((c) => ask(c.socket, "lab:sync", null))]);
}

async function connectStep(step, out) {
  const name = step.connect;
  const socket = open(step.namespace || "/", step.auth || { name });
  const client = { socket, received: [], sid: null };
  clients.set(name, client);
  if (step.early) socket.once("connect", () => socket.emit(step.early));
  for (const [event, answer] of Object.entries(step.answers || {})) {
    socket.on(event, (...args) => {
      const callback = args.pop();
      setTimeout(() => callback(answer.value), answer.after_ms || 0);
    });
  }
  socket.onAny((event, ...args) => {
    if (!event.startsWith("lab:")) client.received.push({ event, args });
  });
  await new Promise((resolve) => {
    socket.once("lab:welcome", (welcome) => {
      client.sid = welcome.sid;
      out.welcome = true;
      resolve();
    });
    socket.once("connect_error", (err) => {
      out.refused = err.message;
      resolve();
    });
  });
}

async function emitStep(step, out, since) {
  const client = clients.get(step.emit);
  const args = (step.args || []).map((arg) =>
    arg !== null && typeof arg === "object" && "sid_of" in arg ? clients.get(arg.sid_of).sid : arg,
  );
  if (step.ack) client.socket.emit(step.event, ...args, (answer) => (out.ack = answer));
  else client.socket.emit(step.event, ...args);
  // The server's note that the handler ran to its end (or that none exists).
  await noteWhere(since, (n) => n.kind === "handled" && n.name === step.emit && n.event === step.event);
  // An emit that waits for answers is over when its callback has run.
  const waiting = notes.slice(since).filter((n) => n.kind === "emit" && n.timeout_ms !== undefined).length;
  const called = () => notes.slice(since).filter((n) => n.kind === "callback").length >= waiting;
  if (waiting > 0) await noteWhere(since, called);
}

async function disconnectStep(step, since) {
  clients.get(step.disconnect).socket.disconnect();
  await noteWhere(since, (n) => n.kind === "disconnect" && n.name === step.disconnect);
}

(async () => {
  const scenario = JSON.parse(await readStdin());
  await connectLab();
  const result = { app: await ask(lab, "lab:app", scenario.app), steps: [] };
  for (const step of scenario.steps || []) {
    const since = notes.length;
    const out = {};
    if ("connect" in step) await connectStep(step, out);
    else if ("emit" in step) await emitStep(step, out, since);
    else if ("disconnect" in step) await disconnectStep(step, since);
    else throw new Error(`unknown step ${JSON.stringify(step)}`);
    await barrier();
    out.notes = notes.slice(since);
    out.received = {};
    for (const [name, c] of clients) out.received[name] = c.received.splice(0);
    result.steps.push(out);
  }
  console.log(JSON.stringify(result));
  for (const c of clients.values()) c.socket.disconnect();
  lab.disconnect();
})().catch((err) => {
  console.error(`error: ${err && err.message ? err.message : err}`);
  process.exit(1);
});
