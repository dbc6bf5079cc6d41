// The lab protocol (docs/lab-protocol.md) on the official `socket.io` server.
//
// This is the reference: socketio-lab's embedded Rust server must behave exactly like
// this file, and `tests/reference.rs` runs every lesson against both to check it.
// It is also the JavaScript side of the lessons, so it stays close to the chat
// example: a `chat message` relay, `a user connected` / `user disconnected` logs.
// A format-2 lesson sends its own server code instead (`lab:app`); app.js runs it.
//
//   npm ci && node server.js --port 3000
//   socketio-lab run rooms --server http://127.0.0.1:3000

"use strict";

const http = require("node:http");
const { Server } = require("socket.io");
const { createApps, RESERVED_EVENTS } = require("./app");

const MAIN_NS = "/";
const ADMIN_NS = "/admin";
const CONTROL_NS = "/lab"; // the lab's own namespace: state, sync, notes
const ADMIN_TOKEN = "let-me-in";
const REFUSAL = "not authorized: `/admin` needs a valid `auth.token`";

// --- command line --------------------------------------------------------------

function portFromArgs(argv, env) {
  const at = argv.indexOf("--port");
  const text = at >= 0 ? argv[at + 1] : env.PORT;
  if (text === undefined || text === "") return 3000;
  const port = Number(text);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    console.error(`error: \`--port\` must be a port number (0 for a free one), not \`${text}\``);
    process.exit(2);
  }
  return port;
}

// `--ping-interval MS --ping-timeout MS`: engine.io's heartbeat, shortened for a
// lesson about drops (its `[network]` table); the defaults otherwise.
function heartbeatFromArgs(argv) {
  const option = (flag) => {
    const at = argv.indexOf(flag);
    if (at < 0) return undefined;
    const ms = Number(argv[at + 1]);
    if (!Number.isInteger(ms) || ms < 1) {
      console.error(`error: \`${flag}\` must be a number of milliseconds, not \`${argv[at + 1]}\``);
      process.exit(2);
    }
    return ms;
  };
  const timers = {};
  const interval = option("--ping-interval");
  const timeout = option("--ping-timeout");
  if (interval !== undefined) timers.pingInterval = interval;
  if (timeout !== undefined) timers.pingTimeout = timeout;
  return timers;
}

// --- names -----------------------------------------------------------------------

// Learners never see socket ids: every socket is reported by the name its client sent
// in `auth.name`, or by a `guest-N` name (one counter for the whole server).
let guests = 0;
function nameFromAuth(auth) {
  const name = auth && auth.name;
  if (typeof name === "string" && name !== "") return name;
  guests += 1;
  return `guest-${guests}`;
}

const nameOf = (socket) => socket.data.name;
const sortedNames = (sockets) => sockets.map(nameOf).sort();

// The socket's rooms as a learner knows them: sorted, its own-id room left out.
function visibleRooms(socket) {
  return [...socket.rooms].filter((room) => room !== socket.id).sort();
}

// A client that asked for no acknowledgement gets none.
function reply(ack, answer) {
  if (typeof ack === "function") ack(answer);
}

// Socket.IO hands a handler the event's arguments with the acknowledgement callback
// last, however many arguments the client sent. `on(socket, event, fn)` calls
// `fn(firstArgument, ack)`, so that `lab:sync` without a payload, or a chat message
// with two, is still acknowledged.
function on(socket, event, fn) {
  socket.on(event, (...args) => {
    const ack = typeof args[args.length - 1] === "function" ? args.pop() : undefined;
    fn(args.length ? args[0] : null, ack);
  });
}

// Requests are checked as strictly as the Rust server's typed ones, so that both
// servers refuse the same malformed requests with the same words.
const isRoomList = (v) => Array.isArray(v) && v.every((r) => typeof r === "string");
const isObject = (v) => v !== null && typeof v === "object" && !Array.isArray(v);

function roomsRequest(event, req) {
  if (isObject(req) && isRoomList(req.rooms)) return { rooms: req.rooms };
  return { error: `malformed \`${event}\` request: expected \`{"rooms": ["room", ...]}\`` };
}

function emitRequest(req) {
  const lists = ["to", "in", "except"];
  const valid =
    isObject(req) &&
    typeof req.event === "string" &&
    (req.from === undefined || req.from === "socket" || req.from === "io") &&
    (req.broadcast === undefined || typeof req.broadcast === "boolean") &&
    lists.every((key) => req[key] === undefined || isRoomList(req[key])) &&
    (req.of === undefined || req.of === null || typeof req.of === "string") &&
    (req.volatile === undefined || typeof req.volatile === "boolean") &&
    (req.local === undefined || typeof req.local === "boolean") &&
    (req.ack_timeout_ms === undefined ||
      req.ack_timeout_ms === null ||
      (Number.isInteger(req.ack_timeout_ms) && req.ack_timeout_ms >= 0));
  if (!valid) {
    return { error: "malformed `lab:emit` request: expected an emit request as docs/lab-protocol.md describes" };
  }
  return {
    from: req.from || "socket",
    broadcast: req.broadcast || false,
    to: req.to || [],
    within: req.in || [],
    except: req.except || [],
    of: req.of === undefined ? null : req.of,
    volatile: req.volatile || false,
    local: req.local || false,
    ackTimeoutMs: req.ack_timeout_ms === undefined ? null : req.ack_timeout_ms,
    event: req.event,
    data: req.data === undefined ? null : req.data,
  };
}

// --- server ----------------------------------------------------------------------

const httpServer = http.createServer((req, res) => {
  res.writeHead(200, { "content-type": "text/plain; charset=utf-8" });
  res.end("socketio-lab node reference: connect a Socket.IO client to this address\n");
});
// polling and WebSocket, as by default
const io = new Server(httpServer, heartbeatFromArgs(process.argv.slice(2)));

// Everything the server logs is also told to the lab's control sockets, which is how
// the lab shows `a user connected` without reading this process's output.
// A note goes to the control sockets of the lab session the socket it is `about`
// belongs to (`auth.lab`): labs sharing this server each hear only of their own
// sockets, which may have the same names. A socket of no session (a visitor's page)
// is told to every lab.
function note(payload, about) {
  const sessionOf = (socket) => {
    const auth = (socket && socket.handshake && socket.handshake.auth) || {};
    return typeof auth.lab === "string" ? auth.lab : null;
  };
  const theirs = sessionOf(about);
  for (const control of io.of(CONTROL_NS).sockets.values()) {
    if (theirs === null || sessionOf(control) === theirs) control.emit("lab:note", payload);
  }
}

// `lab:emit`: builds the same operator a handler would write by hand, e.g.
// `socket.to("r1").except("r2")` or `io.of("/admin")`, and emits through it.
// `RESERVED_EVENTS`: `emit` throws on them, so the lab answers instead.

// Asks each selected socket for an acknowledgement and waits up to `ms` for each.
// One emitWithAck per socket (rather than one broadcast) so that every answer, or
// every timeout, can be told apart by name.
async function emitWithAcks(sockets, ms, event, data) {
  const outcomes = await Promise.all(
    sockets.map(async (socket) => {
      try {
        const value = await socket.timeout(ms).emitWithAck(event, data);
        return [nameOf(socket), { answered: true, value }];
      } catch (err) {
        return [nameOf(socket), { answered: false, error: "timeout" }];
      }
    }),
  );
  return Object.fromEntries(outcomes);
}

async function labEmit(socket, req) {
  const { from, broadcast, to, within, except, of, volatile, local, ackTimeoutMs, event, data } = req;
  if (RESERVED_EVENTS.includes(event)) {
    return { ok: false, error: `\`${event}\` is a reserved event name` };
  }
  let op;
  if (from === "socket") {
    if (of !== null) {
      return { ok: false, error: '`of` needs `from: "io"`' };
    }
    if (!broadcast && !local && !to.length && !within.length && !except.length) {
      // Plain `socket.emit`: the sender alone.
      if (ackTimeoutMs !== null) {
        const acks = await emitWithAcks([socket], ackTimeoutMs, event, data);
        return { ok: true, delivered_to: [nameOf(socket)], acks };
      }
      (volatile ? socket.volatile : socket).emit(event, data);
      return { ok: true, delivered_to: [nameOf(socket)] };
    }
    // `socket.to(..)`, `socket.except(..)` and `socket.local` leave the sender out
    // just like `socket.broadcast` does, so starting from `broadcast` is the same
    // selection.
    op = socket.broadcast;
  } else {
    const ns = of !== null ? of : socket.nsp.name;
    if (ns === CONTROL_NS) return { ok: false, error: `namespace \`${CONTROL_NS}\` is the lab's own` };
    // `io.of(name)` would create a namespace on the fly: look it up instead.
    if (!io._nsps.has(ns)) return { ok: false, error: `no namespace \`${ns}\` on this server` };
    op = io.of(ns);
  }
  // This node's sockets only: nothing goes through the adapter to other nodes.
  if (local) op = op.local;
  if (to.length) op = op.to(to);
  if (within.length) op = op.in(within);
  if (except.length) op = op.except(except);
  if (ackTimeoutMs !== null) {
    const nsp = from === "socket" ? socket.nsp : io.of(of !== null ? of : socket.nsp.name);
    const selected = (await op.fetchSockets()).map((s) => nsp.sockets.get(s.id)).filter(Boolean);
    const acks = await emitWithAcks(selected, ackTimeoutMs, event, data);
    return { ok: true, delivered_to: sortedNames(selected), acks };
  }
  if (volatile) op = op.volatile;
  return { ok: true, delivered_to: await emitCounted(op, event, data) };
}

// Emits through `op` and says who the adapter selected. With the in-memory adapter
// `fetchSockets` reads the rooms synchronously and the rest of this function runs in
// the same turn of the event loop, so nothing can join or leave in between.
async function emitCounted(op, event, data) {
  const selected = await op.fetchSockets();
  op.emit(event, data);
  return sortedNames(selected);
}

// The handlers every lesson socket gets, in `/` and in `/admin`.
function installProtocol(socket) {
  on(socket, "lab:join", (req, ack) => {
    const { rooms, error } = roomsRequest("lab:join", req);
    if (error) return reply(ack, { ok: false, error });
    socket.join(rooms);
    reply(ack, { ok: true, rooms: visibleRooms(socket) });
  });
  on(socket, "lab:leave", (req, ack) => {
    const { rooms, error } = roomsRequest("lab:leave", req);
    if (error) return reply(ack, { ok: false, error });
    for (const room of rooms) socket.leave(room);
    reply(ack, { ok: true, rooms: visibleRooms(socket) });
  });
  on(socket, "lab:emit", async (req, ack) => {
    const request = emitRequest(req);
    if (request.error) return reply(ack, { ok: false, error: request.error });
    reply(ack, await labEmit(socket, request));
  });
  on(socket, "lab:sync", (_, ack) => reply(ack, { ok: true }));
}

// The catch-all answers only events nobody listens to, so that "nothing happened"
// is an answer the lab can show rather than a timeout.
function installCatchAll(socket) {
  socket.onAny((event, ...args) => {
    if (socket.listenerCount(event) > 0) return;
    reply(args[args.length - 1], {
      ok: false,
      unhandled: true,
      error: `no handler for \`${event}\` in \`${socket.nsp.name}\``,
    });
  });
}

// The engine.io connections with a lesson socket on them, numbered from 1 in order of
// appearance (`lab:state` reports the number, never the id): one page's `io("/")` and
// `io("/admin")` share one connection, and so one number.
let lastConnection = 0;
const connectionNumbers = new Map(); // engine.io id (`socket.conn.id`) to its number
function connectionOf(socket) {
  const id = socket.conn.id;
  if (!connectionNumbers.has(id)) {
    lastConnection += 1;
    connectionNumbers.set(id, lastConnection);
    socket.conn.once("close", () => connectionNumbers.delete(id));
  }
  return connectionNumbers.get(id);
}

// What happens when a socket connects to `/` or `/admin`. Socket.IO has already put
// it in the room named by its id; `app` adds the namespace's own event.
function onConnection(socket, app) {
  const namespace = socket.nsp.name;
  const name = nameFromAuth(socket.handshake.auth);
  socket.data.name = name;
  connectionOf(socket);

  console.log("a user connected");
  note({ kind: "connect", name, namespace }, socket);

  installProtocol(socket);
  app(socket);
  installCatchAll(socket);
  socket.on("disconnect", (reason) => {
    console.log("user disconnected");
    note({ kind: "disconnect", name, namespace, reason }, socket);
  });

  // Last: a client that hears this knows every handler above is in place.
  socket.emit("lab:welcome", { sid: socket.id, name, namespace });
}

// A lesson's declared application (`lab:app`, app.js). A namespace it declares runs
// the declaration; `/` and `/admin` run the fixed handlers below until one does.
const apps = createApps({ io, note, nameFromAuth, on, reply, port: () => httpServer.address().port });

// `/`: the chat example's relay, to every socket, the sender included.
io.of(MAIN_NS).use(apps.guard((_socket, next) => next()));
io.of(MAIN_NS).on(
  "connection",
  apps.connection((socket) =>
    onConnection(socket, (socket) => {
      // Acknowledgements asked for by the client: one handler answers, one never does.
      on(socket, "ping", (_msg, ack) => reply(ack, "pong"));
      on(socket, "sleepy", (_msg, _ack) => {});
      on(socket, "chat message", async (msg, ack) => {
        // The tutorial's log line for each message; text as it is, anything else as JSON.
        const text = `message: ${typeof msg === "string" ? msg : JSON.stringify(msg)}`;
        console.log(text);
        note({ kind: "log", text }, socket);
        reply(ack, { ok: true, delivered_to: await emitCounted(io, "chat message", msg) });
      });
    }),
  ),
);

// `/admin`: only with the token. The middleware runs before the connection handler,
// and the error it passes to `next` reaches the client as `connect_error`.
// A declared `/admin` brings its own middlewares instead.
io.of(ADMIN_NS).use(
  apps.guard((socket, next) => {
    const auth = socket.handshake.auth || {};
    if (auth.token === ADMIN_TOKEN) return next();
    note({ kind: "refuse", name: nameFromAuth(auth), namespace: ADMIN_NS, reason: REFUSAL }, socket);
    next(new Error(REFUSAL));
  }),
);
io.of(ADMIN_NS).on(
  "connection",
  apps.connection((socket) =>
    onConnection(socket, (socket) => {
      // One namespace emitting into another: an announcement to everyone in `/`.
      on(socket, "announce", async (msg, ack) => {
        const deliveredTo = await emitCounted(io.of(MAIN_NS), "announcement", msg);
        reply(ack, { ok: true, delivered_to: deliveredTo, emitted: "announcement" });
      });
    }),
  ),
);

// `/lab`: the lab's control socket. Its own connections are not logged.
// The namespaces reported: `/`, `/admin`, and those the lab's request names (the
// namespaces its clients use, a dynamic namespace's children by their paths), at most
// MAX_STATE_NAMESPACES of them, never `/lab`. Only a namespace that exists is read:
// `io.of` would create one.
const MAX_STATE_NAMESPACES = 64;
function reported(req) {
  const asked = isObject(req) && Array.isArray(req.namespaces) ? req.namespaces.slice(0, MAX_STATE_NAMESPACES) : [];
  const out = [MAIN_NS, ADMIN_NS];
  for (const ns of asked) {
    if (typeof ns === "string" && ns.startsWith("/") && ns !== CONTROL_NS && !out.includes(ns)) out.push(ns);
  }
  return out;
}

function state(req) {
  const namespaces = {};
  for (const ns of reported(req)) {
    const nsp = io._nsps.get(ns);
    if (nsp === undefined) continue;
    const sockets = [...nsp.sockets.values()]
      .map((s) => ({ name: nameOf(s), sid: s.id, connection: connectionOf(s) }))
      .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    // Rooms as the adapter holds them, own-id rooms included.
    const rooms = {};
    for (const [room, sids] of nsp.adapter.rooms) {
      rooms[room] = [...sids].map((sid) => nameOf(nsp.sockets.get(sid))).sort();
    }
    namespaces[ns] = { sockets, rooms };
  }
  return { namespaces };
}

// --- several nodes ---------------------------------------------------------------

// `lab:adapter`: the adapter every namespace uses from now on. A lesson with several
// nodes runs this server once per node and joins them, or not, through one Redis
// (`@socket.io/redis-adapter`, as the docs' "Using multiple nodes" does).
let redisClients = null;

async function useAdapter(request) {
  const wanted = request && request.adapter;
  if (wanted !== "none" && wanted !== "redis") {
    return { ok: false, error: `unknown adapter ${JSON.stringify(wanted)} (none or redis)` };
  }
  if (redisClients) {
    const old = redisClients;
    redisClients = null;
    // At once: the Redis of a lab that has ended may be gone, and a polite QUIT would
    // wait for a reconnection that never comes.
    await Promise.allSettled([old.pub.disconnect(), old.sub.disconnect()]);
  }
  if (wanted === "none") {
    io.adapter(require("socket.io-adapter").Adapter);
    return { ok: true };
  }
  const url = String(request.redis || "");
  // The lab only ever names a Redis on this machine.
  if (!/^redis:\/\/(127\.0\.0\.1|localhost)(:\d+)?\/?$/.test(url)) {
    return { ok: false, error: `the Redis must be on this machine, not ${JSON.stringify(url)}` };
  }
  const { createClient } = require("redis");
  const { createAdapter } = require("@socket.io/redis-adapter");
  const pub = createClient({ url });
  const sub = pub.duplicate();
  // A Redis that goes away mid-lesson is the lesson's failure, not this process's.
  pub.on("error", () => {});
  sub.on("error", () => {});
  try {
    await Promise.all([pub.connect(), sub.connect()]);
  } catch (e) {
    return { ok: false, error: `no Redis answered at ${url} (${e.message})` };
  }
  redisClients = { pub, sub };
  io.adapter(createAdapter(pub, sub));
  // The namespaces' subscriptions were sent in order on `sub`: once this one is
  // acknowledged, so are they, and nothing another node publishes is missed.
  await sub.pSubscribe("socketio-lab-barrier#*", () => {});
  return { ok: true };
}

// `lab:mark`: the settling marker, emitted in each namespace named through the adapter.
function emitMarks(request) {
  const namespaces = Array.isArray(request && request.namespaces) ? request.namespaces : [];
  for (const ns of namespaces.slice(0, 64)) {
    if (typeof ns === "string" && io._nsps.has(ns)) io.of(ns).emit("scaling:mark", request.mark);
  }
  return { ok: true };
}

io.of(CONTROL_NS).on("connection", (socket) => {
  socket.data.name = "lab";
  on(socket, "lab:state", (req, ack) => reply(ack, state(req)));
  on(socket, "lab:sync", (_, ack) => reply(ack, { ok: true }));
  on(socket, "lab:mark", (req, ack) => reply(ack, emitMarks(req)));
  on(socket, "lab:adapter", (req, ack) => {
    useAdapter(req).then(
      (answer) => reply(ack, answer),
      (e) => reply(ack, { ok: false, error: String(e && e.message) }),
    );
  });
  const session = apps.sessionOf(socket) || "";
  on(socket, "lab:app", (app, ack) => reply(ack, apps.install(app, session)));
  socket.on("disconnect", () => apps.forget(session));
  socket.emit("lab:welcome", { sid: socket.id, name: "lab", namespace: CONTROL_NS });
});

// --- start and stop --------------------------------------------------------------

httpServer.listen(portFromArgs(process.argv.slice(2), process.env), "127.0.0.1", () => {
  // The first line of output, with the real port: `--port 0` asks for a free one and
  // whoever started the server reads it from here.
  console.log(`listening on *:${httpServer.address().port}`);
});

function stop() {
  // Disconnects every socket (their reason is `server shutting down`) and closes the
  // HTTP server; the timer only makes sure a lingering connection cannot keep us up.
  io.close(() => process.exit(0));
  setTimeout(() => process.exit(0), 2000).unref();
}
process.on("SIGTERM", stop);
process.on("SIGINT", stop);
