// Declared applications (docs/lab-protocol.md, "Declared applications"): a lesson
// sends its server code as data (`lab:app`), and this file runs it on the official
// `socket.io` server, call for call as `src/app/js.rs` prints it. A learner reads that
// printed JavaScript, so every choice below follows what the printed code would do.

"use strict";

// Names Socket.IO keeps for itself: `emit` throws on them.
const RESERVED_EVENTS = ["connect", "connect_error", "disconnect", "disconnecting", "newListener", "removeListener"];
const MAX_WAIT_MS = 10000;
// Bounds on one application, as src/app/validate.rs has them, and on the namespaces
// this server registers for all applications together (they stay once made).
const MAX_NAMESPACES = 16;
const MAX_HANDLERS = 64;
const MAX_OPS = 64;
const MAX_SERVED_NAMESPACES = 256;
const IDENTIFIER = /^[a-z_][A-Za-z0-9_]*$/;

// --- reading a declaration ---------------------------------------------------------
//
// The lab validates a declaration fully before sending it (`app::validate`); this
// check is about shape, so that a server never crashes half-way through a handler
// on a value it cannot read.

class Malformed extends Error {}

function fail(at, why) {
  throw new Malformed(`\`${at}\`: ${why}`);
}

const isObject = (v) => v !== null && typeof v === "object" && !Array.isArray(v);

// Serde refuses unknown fields in a declaration; so does this reader.
function fields(value, at, allowed) {
  if (!isObject(value)) fail(at, "expected an object");
  const extra = Object.keys(value).find((key) => !allowed.includes(key));
  if (extra !== undefined) fail(at, `unknown field \`${extra}\``);
  return value;
}

function list(value, at) {
  if (value === undefined) return [];
  if (!Array.isArray(value)) fail(at, "expected a list");
  return value;
}

function flag(value, at) {
  if (value === undefined) return false;
  if (typeof value !== "boolean") fail(at, "expected `true` or `false`");
  return value;
}

function text(value, at) {
  if (typeof value !== "string") fail(at, "expected a text");
  return value;
}

const NAMESPACE_FIELDS = ["name", "middleware", "packet", "connection", "events", "any", "unhandled", "disconnecting", "disconnect", "hold_early"];

function parseApp(json) {
  const app = fields(json, "app", ["listening", "namespaces"]);
  // The startup line: `{port}` is the only name it knows.
  const listening = app.listening === undefined ? null : template(text(app.listening, "listening"), "listening", { params: ["port"] });
  const namespaces = list(app.namespaces, "namespaces");
  if (namespaces.length > MAX_NAMESPACES) fail("namespaces", `at most ${MAX_NAMESPACES} namespaces`);
  for (const [i, ns] of namespaces.entries()) {
    const handlers = Array.isArray(ns && ns.events) ? ns.events.length : 0;
    const middlewares = Array.isArray(ns && ns.middleware) ? ns.middleware.length : 0;
    if (handlers > MAX_HANDLERS || middlewares > MAX_HANDLERS) fail(`namespaces[${i}]`, `at most ${MAX_HANDLERS} handlers and middlewares`);
  }
  const names = namespaces.map((ns, i) => text(fields(ns, `namespaces[${i}]`, NAMESPACE_FIELDS).name, `namespaces[${i}].name`));
  const statics = names.filter((name) => !name.includes("{"));
  return {
    listening,
    namespaces: namespaces.map((ns, i) => {
      if (names.indexOf(names[i]) !== i) fail(`namespaces[${i}]`, `\`${names[i]}\` is declared twice`);
      return parseNamespace(ns, `namespaces[${i}]`, statics);
    }),
  };
}

function parseNamespace(ns, at, statics) {
  const { name } = ns;
  if (!/^\/[A-Za-z0-9/_{}-]*$/.test(name)) fail(`${at}.name`, `\`${name}\` is not a namespace's path`);
  if (name === "/lab" || name.startsWith("/lab/")) fail(`${at}.name`, "`/lab` is the lab's own namespace");
  // The `socket.data` fields its middlewares keep, which its handlers may read.
  const data = [];
  for (const mw of Array.isArray(ns.middleware) ? ns.middleware : []) {
    for (const key of Array.isArray(mw && mw.data) ? mw.data : []) if (!data.includes(key)) data.push(key);
  }
  // And those its connection handler sets (`set`), which it gives a first value.
  for (const op of Array.isArray(ns.connection) ? ns.connection : []) {
    const fields = isObject(op) && isObject(op.set) ? Object.keys(op.set) : [];
    for (const key of fields) if (!data.includes(key)) data.push(key);
  }
  const plain = { params: [], ack: false, statics, rooms: true, data };
  const events = new Map();
  list(ns.events, `${at}.events`).forEach((handler, i) => {
    const parsed = parseHandler(handler, `${at}.events[${i}]`, statics, data);
    if (events.has(parsed.event)) fail(`${at}.events[${i}]`, `two handlers for \`${parsed.event}\``);
    events.set(parsed.event, parsed);
  });
  // socketioxide's early-event shim: Node needs none, since it runs a connection
  // handler that does not wait before it reads the socket's next packet.
  flag(ns.hold_early, `${at}.hold_early`);
  return {
    name,
    pattern: pattern(name, `${at}.name`),
    middleware: list(ns.middleware, `${at}.middleware`).map((mw, i) => {
      const where = `${at}.middleware[${i}]`;
      fields(mw, where, ["require", "refuse", "data"]);
      const keep = list(mw.data, `${where}.data`).map((key, j) => {
        if (typeof key !== "string" || !/^[a-z_][A-Za-z0-9_]*$/.test(key) || key === "name") fail(`${where}.data[${j}]`, "expected a field name other than `name`");
        return key;
      });
      if (mw.require !== undefined && !isObject(mw.require)) fail(`${where}.require`, "expected an object");
      const require = mw.require === undefined ? {} : mw.require;
      const refuse = mw.refuse === undefined ? "not authorized" : text(mw.refuse, `${where}.refuse`);
      return { require, refuse, data: keep };
    }),
    packet: list(ns.packet, `${at}.packet`).map((mw, i) => parsePacket(mw, `${at}.packet[${i}]`, data)),
    connection: ops(ns.connection, `${at}.connection`, plain),
    events,
    disconnecting: ops(ns.disconnecting, `${at}.disconnecting`, plain),
    // Once disconnected a socket is in no room: `{rooms}` would always be empty.
    disconnect: ops(ns.disconnect, `${at}.disconnect`, { ...plain, rooms: false }),
    // The catch-all's one parameter is the event's name.
    unhandled: ops(ns.unhandled, `${at}.unhandled`, { ...plain, params: ["event"] }),
    // `socket.onAny`: every event, handled or not; it logs and emits, nothing else.
    any: ops(ns.any, `${at}.any`, { ...plain, params: ["event"] }).map((op, i) => {
      const where = `${at}.any[${i}]`;
      if (op.kind !== "log" && op.kind !== "emit") fail(where, "`any` (onAny) logs and emits");
      if (op.kind === "emit" && op.emit.callback !== null) fail(where, "an emit in `any` waits for no answers");
      return op;
    }),
  };
}

// A per-packet middleware (`socket.use`): refuses its events (every event when it
// lists none) from a socket whose kept `socket.data` fields differ from `require`.
function parsePacket(mw, at, data) {
  fields(mw, at, ["events", "require", "refuse"]);
  const events = list(mw.events, `${at}.events`).map((event, j) => text(event, `${at}.events[${j}]`));
  if (!isObject(mw.require) || Object.keys(mw.require).length === 0) fail(`${at}.require`, "expected the `socket.data` fields an event needs");
  for (const [key, value] of Object.entries(mw.require)) {
    if (!data.includes(key)) fail(`${at}.require`, `\`${key}\` is not a field a connection middleware keeps`);
    if (typeof value !== "string") fail(`${at}.require.${key}`, "expected a text");
  }
  const refuse = mw.refuse === undefined ? "not allowed" : text(mw.refuse, `${at}.refuse`);
  return { events, require: mw.require, refuse };
}

// The first of the namespace's packet middlewares that refuses `event`, if any.
function packetRefusal(ns, socket, event) {
  const refuses = (mw) =>
    (mw.events.length === 0 || mw.events.includes(event)) &&
    Object.entries(mw.require).some(([key, value]) => socket.data[key] !== value);
  return ns.packet.find(refuses) || null;
}

// `/tenants/{tenant}` is `io.of(/^\/tenants\/[^/]+$/)`: any one path segment.
function pattern(name, at) {
  const open = name.indexOf("{");
  if (open < 0) return null;
  const close = name.indexOf("}", open);
  const param = name.slice(open + 1, close);
  const before = name.slice(0, open);
  const after = name.slice(close + 1);
  const whole = before.endsWith("/") && (after === "" || after.startsWith("/"));
  if (close < 0 || !IDENTIFIER.test(param) || !whole || /[{}]/.test(before + after)) {
    fail(at, `\`${name}\`: a dynamic namespace has one \`{param}\`, a whole path segment`);
  }
  const escape = (s) => s.replace(/[-/]/g, "\\$&");
  return new RegExp(`^${escape(before)}[^/]+${escape(after)}$`);
}

function parseHandler(handler, at, statics, data) {
  fields(handler, at, ["event", "args", "do"]);
  const event = eventName(handler.event, `${at}.event`);
  const params = list(handler.args, `${at}.args`).map((arg, i) => {
    const [name, type = "text"] = text(arg, `${at}.args[${i}]`).split(":").map((s) => s.trim());
    if (!IDENTIFIER.test(name) || !["text", "json"].includes(type)) {
      fail(`${at}.args[${i}]`, `\`${arg}\`: a parameter is a name, or \`name: json\` for any JSON value`);
    }
    return name;
  });
  if (handler.do === undefined) fail(at, "missing field `do`");
  return { event, params, ops: ops(handler.do, `${at}.do`, { params, ack: true, statics, data }) };
}

function eventName(value, at) {
  const event = text(value, at);
  if (event === "") fail(at, "an event needs a name");
  if (RESERVED_EVENTS.includes(event)) fail(at, `\`${event}\` is reserved by Socket.IO`);
  if (event.startsWith("lab:")) fail(at, `\`${event}\`: events starting \`lab:\` are the lab's own`);
  return event;
}

function ops(value, at, scope) {
  const all = list(value, at);
  if (all.length > MAX_OPS) fail(at, `at most ${MAX_OPS} operations in a handler`);
  return all.map((op, i) => parseOp(op, `${at}[${i}]`, scope));
}

function parseOp(op, at, scope) {
  const keys = isObject(op) ? Object.keys(op) : [];
  if (keys.length !== 1) fail(at, "an operation is one of `log`, `emit`, `join`, `leave`, `ack`, `disconnect`, `wait_ms`, `fetch_sockets`, `set`");
  const [kind] = keys;
  const arg = op[kind];
  const where = `${at}.${kind}`;
  switch (kind) {
    case "log":
      return { kind, parts: template(text(arg, where), where, scope) };
    case "emit":
      return { kind, emit: parseEmit(arg, where, scope) };
    case "join":
    case "leave":
      return { kind, rooms: rooms(arg, where, scope) };
    case "ack":
      if (!scope.ack) fail(where, "only an event handler has an acknowledgement to answer");
      return { kind, value: expr(arg, where, scope) };
    case "disconnect":
      return { kind, close: flag(arg, where) };
    case "fetch_sockets":
      return { kind, parts: template(text(arg, where), where, { ...scope, count: true }) };
    case "wait_ms":
      if (!Number.isInteger(arg) || arg < 0 || arg > MAX_WAIT_MS) fail(where, `expected a whole number of milliseconds up to ${MAX_WAIT_MS}`);
      return { kind, ms: arg };
    case "set": {
      // `socket.data.KEY = value`: a field the namespace reads (see parseNamespace).
      if (!isObject(arg) || Object.keys(arg).length === 0) fail(where, "expected the `socket.data` fields to set");
      const fields = Object.keys(arg)
        .sort()
        .map((key) => {
          if (!/^[a-z_][A-Za-z0-9_]*$/.test(key) || key === "name") fail(`${where}.${key}`, "expected a field name other than `name`");
          if (!(scope.data || []).includes(key)) fail(`${where}.${key}`, "a field gets its first value in the connection handler or a middleware");
          return { key, value: expr(arg[key], `${where}.${key}`, scope) };
        });
      return { kind, fields };
    }
    default:
      return fail(at, `unknown operation \`${kind}\``);
  }
}

function parseEmit(emit, at, scope) {
  fields(emit, at, ["event", "args", "from", "of", "broadcast", "to", "in", "except", "volatile", "local", "timeout", "callback"]);
  const from = emit.from === undefined ? "socket" : emit.from;
  if (from !== "socket" && from !== "io") fail(`${at}.from`, 'expected `"socket"` or `"io"`');
  const of = emit.of === undefined || emit.of === null ? null : text(emit.of, `${at}.of`);
  if (of !== null && (from !== "io" || !scope.statics.includes(of))) {
    fail(`${at}.of`, `\`${of}\` needs \`from: "io"\` and a static namespace of this app`);
  }
  const chain = (key) => list(emit[key], `${at}.${key}`).map((group, i) => rooms(group, `${at}.${key}[${i}]`, scope));
  const to = chain("to");
  const within = chain("in");
  const except = chain("except");
  const broadcast = flag(emit.broadcast, `${at}.broadcast`);
  const local = flag(emit.local, `${at}.local`);
  // `(err, answer)` for a socket's own emit, `(err, answers)` for a broadcast.
  const single = from === "socket" && !broadcast && !local && to.length + within.length + except.length === 0;
  const hasCallback = emit.callback !== undefined && emit.callback !== null;
  const timeout = emit.timeout === undefined || emit.timeout === null ? null : emit.timeout;
  if (hasCallback !== (timeout !== null)) fail(at, "`timeout` and `callback` go together");
  if (timeout !== null && (!Number.isInteger(timeout) || timeout < 1 || timeout > MAX_WAIT_MS)) {
    fail(`${at}.timeout`, `expected a whole number of milliseconds from 1 to ${MAX_WAIT_MS}`);
  }
  const names = ["err", single ? "answer" : "answers"];
  const callback = !hasCallback
    ? null
    : list(emit.callback, `${at}.callback`).map((op, i) => {
        const where = `${at}.callback[${i}]`;
        if (!isObject(op) || Object.keys(op).length !== 1 || !("log" in op)) fail(where, "a callback only logs");
        return { kind: "log", parts: template(text(op.log, `${where}.log`), `${where}.log`, { params: [], callback: names }) };
      });
  return {
    single,
    timeout,
    callback,
    // `$param`: the handler's parameter names the event (Node throws on a reserved one).
    event: /^\$[a-z_][A-Za-z0-9_]*$/.test(emit.event) ? expr(emit.event, `${at}.event`, scope) : eventName(emit.event, `${at}.event`),
    args: list(emit.args, `${at}.args`).map((a, i) => expr(a, `${at}.args[${i}]`, scope)),
    from,
    of,
    broadcast,
    to,
    in: within,
    except,
    volatile: flag(emit.volatile, `${at}.volatile`),
    local,
  };
}

function rooms(value, at, scope) {
  const all = list(value, at);
  if (all.length === 0) fail(at, "name at least one room");
  return all.map((room, i) => expr(room, `${at}[${i}]`, scope));
}

// A value: a literal, or `$param`, `$socket.id`, `$nsp`; `$$` starts a literal `$`.
function expr(value, at, scope) {
  if (typeof value !== "string" || !value.startsWith("$")) return { literal: value };
  if (value.startsWith("$$")) return { literal: value.slice(1) };
  const reference = value.slice(1);
  if (reference === "nsp") return { nsp: true };
  if (reference === "socket.id") return { socketId: true };
  if (reference.startsWith("data.")) {
    const key = reference.slice("data.".length);
    if (!(scope.data || []).includes(key)) fail(at, `\`${value}\`: no middleware of this namespace keeps \`${key}\``);
    return { data: key };
  }
  const index = scope.params.indexOf(reference);
  if (index < 0) fail(at, `\`${value}\` names nothing this handler has`);
  return { param: index };
}

// A log line as parts: literal text, a parameter, or the namespace's path.
function template(line, at, scope) {
  const parts = [];
  let rest = line;
  let literal = "";
  while (rest !== "") {
    const i = rest.search(/[{}]/);
    if (i < 0) break;
    literal += rest.slice(0, i);
    const brace = rest[i];
    if (rest[i + 1] === brace) {
      literal += brace;
      rest = rest.slice(i + 2);
      continue;
    }
    const end = rest.indexOf("}", i);
    if (brace === "}" || end < 0) fail(at, "write `{{` and `}}` for a brace in a log line");
    const name = rest.slice(i + 1, end);
    if (scope.callback) {
      // An acknowledgement callback reads its own two parameters only.
      if (!scope.callback.includes(name)) fail(at, `\`{${name}}\` in a callback: it reads \`{${scope.callback.join("}` and `{")}}\` only`);
      parts.push(literal, { callback: name });
      literal = "";
      rest = rest.slice(end + 1);
      continue;
    }
    if (name === "count" && scope.count) {
      // `fetch_sockets`: how many sockets `io.fetchSockets()` gave.
      parts.push(literal, { count: true });
      literal = "";
      rest = rest.slice(end + 1);
      continue;
    }
    const index = scope.params.indexOf(name);
    // In `disconnect` too: Node has emptied `socket.rooms` by then, which is the point.
    const rooms = name === "rooms";
    const kept = name.startsWith("data.") && (scope.data || []).includes(name.slice("data.".length));
    if (name !== "nsp" && !rooms && !kept && index < 0) fail(at, `\`{${name}}\` names no parameter of this handler`);
    const part = name === "nsp" ? { nsp: true } : rooms ? { rooms: true } : kept ? { data: name.slice(5) } : { param: index };
    parts.push(literal, part);
    literal = "";
    rest = rest.slice(end + 1);
  }
  parts.push(literal + rest);
  return parts;
}

// --- running a declaration ---------------------------------------------------------

function createApps({ io, note, nameFromAuth, on, reply, port }) {
  // Each lab's application, by the session its sockets bring in `auth.lab`: labs
  // that share this server (a quiz's choices at once) each run their own.
  const bySession = new Map();
  const parents = new Map(); // a dynamic namespace's pattern → its parent namespace
  const chosen = new WeakMap(); // socket → the declaration its middlewares ran

  const nameOf = (socket) => socket.data.name;

  const sessionOf = (socket) => {
    const auth = socket.handshake.auth || {};
    return typeof auth.lab === "string" ? auth.lab : null;
  };

  function declared(path, session) {
    const current = session === null ? undefined : bySession.get(session);
    if (current === undefined) return null;
    const all = current.namespaces;
    return all.find((ns) => ns.name === path) || all.find((ns) => ns.pattern && ns.pattern.test(path)) || null;
  }

  // `lab:app`: a malformed declaration changes nothing.
  function install(json, session) {
    let app;
    try {
      app = parseApp(json);
    } catch (err) {
      if (err instanceof Malformed) return { ok: false, error: `malformed \`lab:app\` request: ${err.message}` };
      // A reader's own mistake must not take the server down with it.
      return { ok: false, error: `cannot read this \`lab:app\` request: ${err && err.message}` };
    }
    const fresh = app.namespaces.filter((ns) => ns.pattern === null && !io._nsps.has(ns.name)).length;
    if (io._nsps.size + parents.size + fresh > MAX_SERVED_NAMESPACES) {
      return { ok: false, error: `this server already serves ${io._nsps.size} namespaces, its limit is ${MAX_SERVED_NAMESPACES}` };
    }
    for (const ns of app.namespaces) serve(ns);
    bySession.set(session, app);
    if (app.listening === null) return { ok: true };
    // The application starts here: its startup line, as `server.listen` logs it.
    const line = app.listening.map((part) => (typeof part === "string" ? part : `${port()}`)).join("");
    console.log(line);
    return { ok: true, listening: line };
  }

  // Namespaces this server did not serve yet. Dynamic ones are a parent namespace,
  // whose middlewares and listeners every matching child copies when created.
  function serve(ns) {
    if (ns.pattern !== null) {
      if (!parents.has(ns.pattern.source)) parents.set(ns.pattern.source, attach(io.of(ns.pattern)));
      return;
    }
    if (io._nsps.has(ns.name)) return; // `/`, `/admin`, or served for an earlier app
    const nsp = io.of(ns.name); // may be a child of a dynamic namespace, already attached
    if (!nsp.listeners("connection").includes(appConnection)) attach(nsp);
  }

  function attach(nsp) {
    nsp.use(appGuard);
    nsp.on("connection", appConnection);
    return nsp;
  }

  // A middleware for a namespace that runs the declared middlewares when the app
  // declares it, and `otherwise` when it does not.
  function guard(otherwise) {
    return (socket, next) => {
      const ns = declared(socket.nsp.name, sessionOf(socket));
      if (ns === null) return otherwise(socket, next);
      chosen.set(socket, ns);
      middlewares(ns, socket, next);
    };
  }

  // The connection listener that goes with `guard`.
  function connection(otherwise) {
    return (socket) => {
      const ns = chosen.get(socket);
      if (ns === undefined) return otherwise(socket);
      connect(socket, ns);
    };
  }

  // A namespace an earlier app declared and the current one does not: as if it did
  // not exist (Node's own answer to an unknown namespace).
  const appGuard = guard((_socket, next) => next(new Error("Invalid namespace")));
  const appConnection = connection((socket) => socket.disconnect(true));

  function middlewares(ns, socket, next) {
    const auth = socket.handshake.auth || {};
    for (const mw of ns.middleware) {
      // `!==`, as the printed middleware compares: an object or a list never equals.
      const differs = Object.entries(mw.require).some(([key, value]) => auth[key] !== value);
      if (differs) {
        note({ kind: "refuse", name: nameFromAuth(auth), namespace: socket.nsp.name, reason: mw.refuse }, socket);
        return next(new Error(mw.refuse));
      }
      // As printed: a text is kept, anything else as an empty text.
      for (const key of mw.data) socket.data[key] = typeof auth[key] === "string" ? auth[key] : "";
    }
    next();
  }

  function connect(socket, ns) {
    const namespace = socket.nsp.name;
    const name = nameFromAuth(socket.handshake.auth);
    socket.data.name = name;
    note({ kind: "connect", name, namespace }, socket);
    // The `disconnect` note comes after the declared `disconnect` operations, as the
    // chat's `user disconnected` line came before it. It is registered before the
    // connection handler runs, so that a socket that leaves during a slow one is
    // still reported; the declared handler, as printed, is attached only after.
    let attached = false;
    // The lab's note, not the printed code: an application event that comes before
    // the handlers below are attached finds no listener, not even the catch-all, and
    // Socket.IO drops it without a word. Set up first, so that it sees every event.
    socket.onAny((event) => {
      if (attached || event.startsWith("lab:") || socket.listenerCount(event) > 0) return;
      note({ kind: "unheard", name, namespace, event }, socket);
    });
    usePackets(socket, ns);
    socket.on("disconnect", (reason) => {
      const ops = attached ? ns.disconnect : [];
      run({ socket, args: [] }, ops, () => note({ kind: "disconnect", name, namespace, reason }, socket));
    });
    run({ socket, args: [] }, ns.connection, () => {
      for (const handler of ns.events.values()) {
        socket.on(handler.event, (...args) => handle(socket, handler, args));
      }
      if (ns.disconnecting.length) socket.on("disconnecting", () => run({ socket, args: [] }, ns.disconnecting, () => {}));
      attached = true;
      on(socket, "lab:sync", (_, ack) => reply(ack, { ok: true }));
      // The printed `socket.onAny((event) => ...)`, before the catch-all's: it runs
      // first for every event, handled or not (the lab's own excepted).
      if (ns.any.length) {
        socket.onAny((event) => {
          if (!event.startsWith("lab:")) run({ socket, args: [event] }, ns.any, () => {});
        });
      }
      socket.onAny((event, ...args) => catchAll(socket, ns, event, args));
      // Last: a client that hears this knows every handler above is in place.
      socket.emit("lab:welcome", { sid: socket.id, name, namespace });
    });
  }

  // As printed, first in the connection handler: one `socket.use` per declared
  // middleware, and an `error` listener logging the refusal's message. The lab's own
  // `lab:` events are not the application's, so they pass.
  function usePackets(socket, ns) {
    if (ns.packet.length === 0) return;
    const refused = new WeakMap(); // error → the event it refused
    for (const mw of ns.packet) {
      socket.use(([event], next) => {
        if (typeof event === "string" && !event.startsWith("lab:") && packetRefusal({ packet: [mw] }, socket, event)) {
          const err = new Error(mw.refuse);
          refused.set(err, event);
          return next(err);
        }
        next();
      });
    }
    socket.on("error", (err) => {
      console.log(err.message);
      note({ kind: "log", text: err.message }, socket);
      const event = refused.get(err);
      if (event !== undefined) note({ kind: "handled", name: nameOf(socket), namespace: socket.nsp.name, event, refused: err.message }, socket);
    });
  }

  // `onAny` runs before the event's own listeners, for every event: it speaks only
  // for events nothing listens to, so that "nothing happened" is a fact.
  // The declared catch-all runs here too: the printed `socket.onAny` with its `if`.
  function catchAll(socket, ns, event, args) {
    if (socket.listenerCount(event) > 0) return;
    if (event.startsWith("lab:")) {
      const error = `no handler for \`${event}\` in \`${socket.nsp.name}\``;
      return reply(args[args.length - 1], { ok: false, unhandled: true, error });
    }
    // `socket.use` runs after `onAny`: a refusal is what it reports, not this.
    const refusedNext = packetRefusal(ns, socket, event) !== null;
    const done = () => refusedNext || note({ kind: "handled", name: nameOf(socket), namespace: socket.nsp.name, event, unhandled: true }, socket);
    run({ socket, args: [event] }, ns.unhandled, done);
  }

  // Socket.IO passes the client's acknowledgement callback last, after however many
  // arguments the client sent; parameters are the arguments before it.
  function handle(socket, handler, args) {
    const ack = typeof args[args.length - 1] === "function" ? args.pop() : undefined;
    const done = () => note({ kind: "handled", name: nameOf(socket), namespace: socket.nsp.name, event: handler.event }, socket);
    run({ socket, args, ack }, handler.ops, done);
  }

  // Runs `list` from `from` on, then `done`. Synchronous up to a `wait_ms`, as the
  // printed handler is: it is `async` and yields only where it `await`s a delay, so
  // another event's handler can run in between only there.
  function run(ctx, list, done, from = 0) {
    for (let i = from; i < list.length; i += 1) {
      const op = list[i];
      if (op.kind === "wait_ms") {
        setTimeout(() => run(ctx, list, done, i + 1), op.ms);
        return;
      }
      if (op.kind === "fetch_sockets") {
        // `const count = (await io.fetchSockets()).length;` then the log line.
        const logged = (count) => {
          const line = op.parts.map((part) => (typeof part === "string" ? part : part.count ? `${count}` : `${raw(part, ctx)}`)).join("");
          console.log(line);
          note({ kind: "log", text: line }, ctx.socket);
          run(ctx, list, done, i + 1);
        };
        io.fetchSockets().then(
          (sockets) => logged(sockets.length),
          (err) => {
            console.error(`error: \`fetch_sockets\` in a declared handler: ${err && err.message}`);
            done();
          },
        );
        return;
      }
      try {
        perform(ctx, op);
      } catch (err) {
        // A throwing call ends the handler, as it would in the printed code.
        console.error(`error: \`${op.kind}\` in a declared handler: ${err && err.message}`);
        break;
      }
    }
    done();
  }

  function perform(ctx, op) {
    const { socket } = ctx;
    switch (op.kind) {
      case "log": {
        const line = op.parts.map((part) => (typeof part === "string" ? part : `${raw(part, ctx)}`)).join("");
        console.log(line);
        note({ kind: "log", text: line }, socket);
        break;
      }
      case "emit":
        emit(ctx, op.emit);
        break;
      case "join":
        socket.join(roomsArg(op.rooms, ctx));
        break;
      case "leave":
        for (const room of op.rooms) socket.leave(value(room, ctx));
        break;
      case "ack":
        // A client that asked for no acknowledgement has no callback to call.
        if (typeof ctx.ack === "function") ctx.ack(value(op.value, ctx));
        break;
      case "disconnect":
        socket.disconnect(op.close);
        break;
      case "set":
        for (const { key, value: v } of op.fields) socket.data[key] = `${value(v, ctx)}`;
        break;
      default:
        throw new Error(`unknown operation \`${op.kind}\``);
    }
  }

  // The chain as `app::js::emit_call` prints it, then the emit, then who it reached.
  function emit(ctx, e) {
    const { socket } = ctx;
    let op = e.from === "io" ? (e.of === null ? io : io.of(e.of)) : socket;
    if (e.broadcast) op = op.broadcast;
    if (e.local) op = op.local;
    for (const group of e.to) op = op.to(roomsArg(group, ctx));
    for (const group of e.in) op = op.in(roomsArg(group, ctx));
    for (const group of e.except) op = op.except(roomsArg(group, ctx));
    if (e.volatile) op = op.volatile;
    const selected = op === socket ? [socket] : selectedBy(op === io ? io.sockets : op);
    const args = e.args.map((arg) => value(arg, ctx));
    const event = typeof e.event === "string" ? e.event : value(e.event, ctx);
    const deliveredTo = selected.map(nameOf).sort();
    const emitted = { kind: "emit", name: nameOf(socket), namespace: socket.nsp.name, event, delivered_to: deliveredTo };
    try {
      if (e.callback === null) {
        op.emit(event, ...args);
        return note(emitted, socket);
      }
      // As printed: `.timeout(ms).emit(event, ...args, (err, answers) => { ... })`.
      op.timeout(e.timeout).emit(event, ...args, (err, answers) => called(socket, emitted, e, err, answers));
    } catch (err) {
      // Node's own refusal (a reserved name): nothing was sent; the throw ends the handler.
      note({ ...emitted, delivered_to: [], error: err && err.message }, socket);
      throw err;
    }
    note({ ...emitted, timeout_ms: e.timeout }, socket);
  }

  // The acknowledgement callback: its log lines, then the note of what it got.
  function called(socket, emitted, e, err, answers) {
    const shown = {
      err: err ? err.message : "none",
      answers: JSON.stringify(answers),
      answer: JSON.stringify(answers ?? null),
    };
    for (const op of e.callback) {
      const line = op.parts.map((part) => (typeof part === "string" ? part : shown[part.callback])).join("");
      console.log(line);
      note({ kind: "log", text: line }, socket);
    }
    const got = e.single ? (err ? [] : [answers]) : answers;
    note({ kind: "callback", name: emitted.name, namespace: emitted.namespace, event: emitted.event, err: err ? err.message : null, answers: got }, socket);
  }

  // The sockets an operator (a namespace or a broadcast operator) is about to emit
  // to, read as its in-memory adapter selects them for the emit itself. Not through
  // `fetchSockets()`: its answer is a promise, and awaiting it would let another
  // event's handler run between two calls that the printed handler makes in one go.
  function selectedBy(op) {
    const found = [];
    const opts = { rooms: op.rooms || new Set(), except: op.exceptRooms || new Set(), flags: op.flags || {} };
    op.adapter.apply(opts, (s) => found.push(s));
    return found;
  }

  function roomsArg(list, ctx) {
    return list.length === 1 ? value(list[0], ctx) : list.map((room) => value(room, ctx));
  }

  // A parameter as the printed handler holds it: `undefined` when the client sent
  // fewer arguments (a log line shows `undefined`, as a template literal does).
  function raw(ref, ctx) {
    if ("literal" in ref) return ref.literal;
    if (ref.nsp) return ctx.socket.nsp.name;
    if (ref.socketId) return ctx.socket.id;
    if ("data" in ref) return ctx.socket.data[ref.data] ?? "";
    // The printed line: `[...socket.rooms].filter((r) => r !== socket.id).sort().join(", ")`.
    if (ref.rooms) return [...ctx.socket.rooms].filter((r) => r !== ctx.socket.id).sort().join(", ");
    return ctx.args[ref.param];
  }

  // A value sent or used as a room: a missing argument is `null`, which is also what
  // Socket.IO's JSON encoding makes of `undefined` on the wire.
  function value(ref, ctx) {
    const v = raw(ref, ctx);
    return v === undefined ? null : v;
  }

  // The session's control socket left: its application goes with it.
  const forget = (session) => bySession.delete(session);

  return { install, forget, sessionOf, guard, connection };
}

module.exports = { createApps, RESERVED_EVENTS };
