// A plausible wrong solution of the `acks` exercise (emits an event back instead of answering the acknowledgement).
const { createServer } = require("node:http");
const { Server } = require("socket.io");

const httpServer = createServer();
const io = new Server(httpServer);

io.on("connection", (socket) => {
  socket.on("double", (n) => socket.emit("double", n * 2));
});

httpServer.listen(Number(process.env.PORT) || 3000, "127.0.0.1");
