// lab-probe.js: lets socketio-lab watch a Socket.IO server whose code you wrote
// (or exported with `socketio-lab export`). Call `instrument(io)` once, right after
// `new Server(...)` and before any `io.on` or `io.of`. It changes nothing your
// handlers do. It adds what the lab reads (docs/lab-protocol.md):
//
// - a namespace `/lab` for the lab's control socket: `lab:sync`, `lab:state`,
//   `lab:app` (answered `ok`: this server runs its own code, not a declaration);
// - on every socket, a name (`auth.name`), a `lab:sync` answer, and `lab:welcome`
//   once your connection handler is done;
// - notes to the lab of what the server did: a socket accepted or refused, each
//   handler run to its end, each emit and who the adapter selected, each callback,
//   each `console.log` line, each disconnection.
//
// One thing differs from plain Node: a handler that throws (an emit of a reserved
// event name, say) ends only that handler, with a line on stderr, where plain Node
// would stop the whole process on the uncaught exception.
//
// It does so by wrapping socket.io's own methods (`Namespace#on`, `Namespace#use`,
// `Socket#on`, `Socket#onAny`, `Socket#use`, the emits) the way the Admin UI's
// `instrument` does: your code is the code that runs.

"use strict";

const { AsyncLocalStorage } = require("node:async_hooks");
const util = require("node:util");
const { Namespace, Socket } = require("socket.io");

const CONTROL = "/lab";
const RESERVED = ["connect", "connect_error", "disconnect", "disconnecting", "newListener", "removeListener", "error"];
const WRAPPED = Symbol("lab-probe");
const MAX_STATE_NAMESPACES = 64;

function instrument(io) {
  const current = new AsyncLocalStorage(); // the socket whose handler is running
  const startup = []; // lines logged before any socket: the server's start
  let guests = 0;
  const nameFromAuth = (auth) => {
    const name = auth && auth.name;
    if (typeof name === "string" && name !== "") return name;
    guests += 1;
    return `guest-${guests}`;
  };
  const nameOf = (socket) => socket.data.name;
  const isLab = (event) => typeof event === "string" && event.startsWith("lab:");

  const note = (payload) => {
    for (const control of io.of(CONTROL).sockets.values()) control.emit("lab:note", payload);
  };
  const about = (socket) => ({ name: nameOf(socket), namespace: socket.nsp.name });

  // --- the server's log --------------------------------------------------------
  const log = console.log.bind(console);
  console.log = (...args) => {
    log(...args);
    const text = util.format(...args);
    if (current.getStore() === undefined && io.of(CONTROL).sockets.size === 0) startup.push(text);
    note({ kind: "log", text });
  };

  // --- who an emit reaches -----------------------------------------------------
  // Read as the in-memory adapter selects them for the emit itself, in the same
  // turn: nothing can join or leave in between.
  const selected = (op) => {
    const found = [];
    const opts = { rooms: op.rooms || new Set(), except: op.exceptRooms || new Set(), flags: op.flags || {} };
    op.adapter.apply(opts, (s) => found.push(s));
    return found.map(nameOf).sort();
  };
  const withCallback = (args, emitted, single, socket) => {
    const last = args[args.length - 1];
    if (typeof last !== "function") return null;
    args[args.length - 1] = (err, answers) => {
      current.run(socket, () => last(err, answers));
      const got = single ? (err ? [] : [answers]) : answers;
      note({ kind: "callback", ...emitted, err: err ? err.message : null, answers: got });
    };
    return true;
  };
  const emitNote = (emit, single) =>
    function (event, ...args) {
      const socket = current.getStore();
      if (socket === undefined || isLab(event)) return emit.call(this, event, ...args);
      const deliveredTo = single ? [nameOf(this)] : selected(this);
      const emitted = { kind: "emit", ...about(socket), event, delivered_to: deliveredTo };
      const waits = withCallback(args, { ...about(socket), event }, single, socket);
      // Read before the emit: a socket's own `emit` clears its flags as it sends.
      const timeout = this.flags ? this.flags.timeout : undefined;
      try {
        const result = emit.call(this, event, ...args);
        note(waits && timeout !== undefined ? { ...emitted, timeout_ms: timeout } : emitted);
        return result;
      } catch (err) {
        // Socket.IO's own refusal (a reserved name): nothing was sent.
        note({ ...emitted, delivered_to: [], error: err && err.message });
        throw err;
      }
    };
  const BroadcastOperator = Object.getPrototypeOf(io.to("lab-probe")).constructor;
  BroadcastOperator.prototype.emit = emitNote(BroadcastOperator.prototype.emit, false);
  Socket.prototype.emit = emitNote(Socket.prototype.emit, true);

  // --- namespaces: middlewares and the connection handler ----------------------
  const nspUse = Namespace.prototype.use;
  Namespace.prototype.use = function (fn) {
    if (fn[WRAPPED] || this.name === CONTROL) return nspUse.call(this, fn);
    const wrapped = (socket, next) =>
      fn(socket, (err) => {
        if (err) note({ kind: "refuse", name: nameFromAuth(socket.handshake.auth), namespace: socket.nsp.name, reason: err.message });
        next(err);
      });
    wrapped[WRAPPED] = true;
    return nspUse.call(this, wrapped);
  };

  const nspOn = Namespace.prototype.on;
  Namespace.prototype.on = function (event, fn) {
    if (event !== "connection" && event !== "connect") return nspOn.call(this, event, fn);
    if (fn[WRAPPED] || this.name === CONTROL) return nspOn.call(this, event, fn);
    const wrapped = (socket) => connected(socket, fn);
    wrapped[WRAPPED] = true;
    return nspOn.call(this, event, wrapped);
  };

  const socketOn = Socket.prototype.on;
  const socketOnAny = Socket.prototype.onAny;
  const socketUse = Socket.prototype.use;

  function connected(socket, handler) {
    socket.data.name = nameFromAuth(socket.handshake.auth);
    connections(socket);
    note({ kind: "connect", ...about(socket) });
    let attached = false;
    // An event before the handlers are attached finds no listener: Socket.IO drops it.
    socketOnAny.call(socket, (event) => {
      if (attached || isLab(event) || socket.listenerCount(event) > 0) return;
      note({ kind: "unheard", ...about(socket), event });
    });
    socket[WRAPPED] = { refused: new WeakMap(), pending: [] };
    socketOn.call(socket, "disconnect", (reason) => {
      if (!attached) note({ kind: "disconnect", ...about(socket), reason });
    });
    Promise.resolve(current.run(socket, () => handler(socket))).then(() => {
      attached = true;
      socketOn.call(socket, "lab:sync", (...args) => {
        const ack = args[args.length - 1];
        if (typeof ack === "function") ack({ ok: true });
      });
      // Last among the catch-alls: an event nothing listens to ran only them.
      socketOnAny.call(socket, (event) => unhandled(socket, event));
      socketOn.call(socket, "error", (err) => {
        const event = socket[WRAPPED].refused.get(err);
        if (event !== undefined) note({ kind: "handled", ...about(socket), event, refused: err.message });
      });
      socketOn.call(socket, "disconnect", (reason) => note({ kind: "disconnect", ...about(socket), reason }));
      socket.emit("lab:welcome", { sid: socket.id, ...about(socket) });
    });
  }

  // A handled event's note comes when its handler is over (awaited if async).
  Socket.prototype.on = function (event, fn) {
    if (fn[WRAPPED] || isLab(event)) return socketOn.call(this, event, fn);
    const socket = this;
    const wrapped = RESERVED.includes(event)
      ? (...args) => current.run(socket, () => fn(...args))
      : (...args) => {
          const done = () => note({ kind: "handled", ...about(socket), event });
          let result;
          try {
            result = current.run(socket, () => fn(...args));
          } catch (err) {
            // Plain Node would let this end the process (an uncaught exception); the
            // lab's servers end only the handler and say so, so the lesson goes on.
            console.error(`error: the \`${event}\` handler threw: ${err && err.message}`);
          }
          Promise.resolve(result).then(done, done);
        };
    wrapped[WRAPPED] = true;
    return socketOn.call(this, event, wrapped);
  };

  Socket.prototype.onAny = function (fn) {
    const socket = this;
    const wrapped = (...args) => {
      const result = current.run(socket, () => fn(...args));
      if (socket[WRAPPED]) socket[WRAPPED].pending.push(result);
    };
    return socketOnAny.call(this, wrapped);
  };

  Socket.prototype.use = function (fn) {
    const socket = this;
    return socketUse.call(this, (packet, next) =>
      fn(packet, (err) => {
        if (err) socket[WRAPPED].refused.set(err, packet[0]);
        next(err);
      }),
    );
  };

  // An event no handler takes: noted once the catch-alls it ran are over, unless a
  // `socket.use` middleware refused it (that is noted as refused instead).
  function unhandled(socket, event) {
    const pending = socket[WRAPPED].pending.splice(0);
    if (isLab(event) || socket.listenerCount(event) > 0) return;
    let refused = false;
    const seen = (err) => {
      if (socket[WRAPPED].refused.get(err) === event) refused = true;
    };
    socketOn.call(socket, "error", seen);
    Promise.all(pending).then(() =>
      setImmediate(() => {
        socket.off("error", seen);
        if (!refused) note({ kind: "handled", ...about(socket), event, unhandled: true });
      }),
    );
  }

  // --- the lab's control namespace -----------------------------------------------
  let lastConnection = 0;
  const numbers = new Map();
  function connections(socket) {
    const id = socket.conn.id;
    if (!numbers.has(id)) {
      lastConnection += 1;
      numbers.set(id, lastConnection);
      socket.conn.once("close", () => numbers.delete(id));
    }
    return numbers.get(id);
  }

  function state(req) {
    const asked = req && Array.isArray(req.namespaces) ? req.namespaces.slice(0, MAX_STATE_NAMESPACES) : [];
    const namespaces = {};
    for (const ns of ["/", "/admin", ...asked]) {
      const nsp = io._nsps.get(ns);
      if (typeof ns !== "string" || ns === CONTROL || nsp === undefined || ns in namespaces) continue;
      const sockets = [...nsp.sockets.values()]
        .map((s) => ({ name: nameOf(s), sid: s.id, connection: connections(s) }))
        .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
      const rooms = {};
      for (const [room, sids] of nsp.adapter.rooms) rooms[room] = [...sids].map((sid) => nameOf(nsp.sockets.get(sid))).sort();
      namespaces[ns] = { sockets, rooms };
    }
    return { namespaces };
  }

  const answer = (fn) => (...args) => {
    const ack = args[args.length - 1];
    if (typeof ack === "function") ack(fn(args.length > 1 ? args[0] : null));
  };
  io.of(CONTROL).on("connection", (socket) => {
    socket.data.name = "lab";
    socketOn.call(socket, "lab:sync", answer(() => ({ ok: true })));
    socketOn.call(socket, "lab:state", answer(state));
    // This server runs its own code: the lab's declaration is not run, only answered.
    // What it printed on start is told when the declaration has a startup line.
    const started = (app) => (app && app.listening && startup.length ? { ok: true, listening: startup[0] } : { ok: true });
    socketOn.call(socket, "lab:app", answer(started));
    socket.emit("lab:welcome", { sid: socket.id, name: "lab", namespace: CONTROL });
  });
}

module.exports = { instrument };
