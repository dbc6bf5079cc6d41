// Drives a socketio-lab server with the official JavaScript client, the way a
// learner's own page would, and prints what each client observed as one JSON line.
//
//   node client-check.js http://127.0.0.1:PORT
//
// Two clients, ana and ben, connect to `/`. ana asks the server to join `r1`, then
// asks for `io.to("r1").emit("news")`, then for `socket.broadcast.emit("typing")`;
// then ben writes in the chat, as the tutorial's page does (no acknowledgement).
// After each step both clients sync, so everything the server sent has arrived.
"use strict";

const { io } = require("socket.io-client");

const url = process.argv[2];
if (!url) {
  console.error("usage: node client-check.js URL");
  process.exit(2);
}

// Give up on anything that takes longer than this: the check never hangs.
const LIMIT_MS = 5000;
setTimeout(() => {
  console.error("error: the check did not finish within 5 s");
  process.exit(1);
}, LIMIT_MS).unref();

function connect(name) {
  const socket = io(url, { auth: { name }, transports: ["websocket"], reconnection: false });
  const received = [];
  socket.onAny((event, ...args) => {
    if (!event.startsWith("lab:")) received.push({ event, payload: args[0] });
  });
  const welcomed = new Promise((resolve, reject) => {
    socket.once("lab:welcome", resolve);
    socket.once("connect_error", reject);
  });
  return { name, socket, received, welcomed };
}

const ask = (client, event, payload) => client.socket.timeout(LIMIT_MS).emitWithAck(event, payload);

// A lab request has an answer (`reply`); an application event sent as a page sends
// it has none (`reply: null`).
// Resolves once `client` has received `event`.
function arrival(client, event) {
  if (client.received.some((r) => r.event === event)) return Promise.resolve();
  return new Promise((resolve) => client.socket.once(event, () => resolve()));
}

// The handler of an application event may still be emitting when the server has
// answered a later `lab:sync`: that step instead waits until each client in
// `awaited` has the event (bounded by LIMIT_MS, which fails the whole check).
async function step(clients, actor, event, payload, { answered = true, awaited = [] } = {}) {
  let reply = null;
  if (answered) reply = await ask(actor, event, payload);
  else actor.socket.emit(event, payload);
  await Promise.all(awaited.map((c) => arrival(c, event)));
  // A connection is ordered: once each client has its sync answer, it has
  // everything the server sent it before.
  await Promise.all(clients.map((c) => ask(c, "lab:sync", null)));
  const deliveries = {};
  for (const c of clients) deliveries[c.name] = c.received.splice(0);
  return { reply, deliveries };
}

(async () => {
  const ana = connect("ana");
  const ben = connect("ben");
  await Promise.all([ana.welcomed, ben.welcomed]);
  const clients = [ana, ben];
  const steps = [];
  steps.push(await step(clients, ana, "lab:join", { rooms: ["r1"] }));
  steps.push(await step(clients, ana, "lab:emit", { from: "io", to: ["r1"], event: "news", data: "hi r1" }));
  steps.push(await step(clients, ana, "lab:emit", { broadcast: true, event: "typing", data: "ana" }));
  steps.push(await step(clients, ben, "chat message", "hello all", { answered: false, awaited: clients }));
  console.log(JSON.stringify(steps));
  for (const c of clients) c.socket.disconnect();
})().catch((err) => {
  console.error(`error: ${err && err.message ? err.message : err}`);
  process.exit(1);
});
