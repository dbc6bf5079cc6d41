// A plausible wrong solution of the `leave` exercise (`leave` answers but never takes the socket out of the room).
const { createServer } = require("node:http");
const { Server } = require("socket.io");

const httpServer = createServer();
const io = new Server(httpServer);

io.on("connection", (socket) => {
  socket.on("join", (room, done) => { socket.join(room); done(); });
  socket.on("leave", (_room, done) => done());
  socket.on("room message", ({ room, text }) => io.to(room).emit("room message", text));
  socket.on("disconnecting", () => socket.broadcast.emit("left", socket.handshake.auth.name));
});

httpServer.listen(Number(process.env.PORT) || 3000, "127.0.0.1");
