// A plausible wrong solution of the `rooms` exercise (the room is ignored: everyone gets every room message).
const { createServer } = require("node:http");
const { Server } = require("socket.io");

const httpServer = createServer();
const io = new Server(httpServer);

io.on("connection", (socket) => {
  socket.on("join", (room, done) => { socket.join(room); done(); });
  socket.on("room message", ({ text }) => io.emit("room message", text));
});

httpServer.listen(Number(process.env.PORT) || 3000, "127.0.0.1");
