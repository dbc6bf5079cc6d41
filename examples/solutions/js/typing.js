// The reference solution of the `typing` exercise (socketio-lab verify typing -- node typing.js).
const { createServer } = require("node:http");
const { Server } = require("socket.io");

const httpServer = createServer();
const io = new Server(httpServer);

io.on("connection", (socket) => {
  const name = socket.handshake.auth.name;
  socket.on("typing", () => {
    socket.broadcast.emit("typing", name);
  });
  socket.on("stop typing", () => {
    socket.broadcast.emit("stop typing", name);
  });
});

httpServer.listen(Number(process.env.PORT) || 3000, "127.0.0.1");
