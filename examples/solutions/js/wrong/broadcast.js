// A plausible wrong solution of the `broadcast` exercise (`io.emit` sends the message back to the sender too).
const { createServer } = require("node:http");
const { Server } = require("socket.io");

const httpServer = createServer();
const io = new Server(httpServer);

io.on("connection", (socket) => {
  socket.on("chat message", (msg) => io.emit("chat message", msg));
});

httpServer.listen(Number(process.env.PORT) || 3000, "127.0.0.1");
