// A plausible wrong solution of the `chat` exercise (broadcasts, so the sender never sees its own message).
const { createServer } = require("node:http");
const { Server } = require("socket.io");

const httpServer = createServer();
const io = new Server(httpServer);

io.on("connection", (socket) => {
  socket.on("chat message", (msg) => socket.broadcast.emit("chat message", msg));
});

httpServer.listen(Number(process.env.PORT) || 3000, "127.0.0.1");
