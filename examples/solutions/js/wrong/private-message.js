// A plausible wrong solution of the `private-message` exercise (the private message goes to everyone else).
const { createServer } = require("node:http");
const { Server } = require("socket.io");

const httpServer = createServer();
const io = new Server(httpServer);

io.on("connection", (socket) => {
  socket.on("private message", ({ text }) => {
    socket.broadcast.emit("private message", { from: socket.id, text });
  });
});

httpServer.listen(Number(process.env.PORT) || 3000, "127.0.0.1");
