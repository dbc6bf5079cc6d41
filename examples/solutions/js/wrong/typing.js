// A plausible wrong solution of the `typing` exercise (tells the others that someone types, but not who).
const { createServer } = require("node:http");
const { Server } = require("socket.io");

const httpServer = createServer();
const io = new Server(httpServer);

io.on("connection", (socket) => {
  socket.on("typing", () => socket.broadcast.emit("typing"));
  socket.on("stop typing", () => socket.broadcast.emit("stop typing"));
});

httpServer.listen(Number(process.env.PORT) || 3000, "127.0.0.1");
