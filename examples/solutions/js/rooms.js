// The reference solution of the `rooms` exercise (socketio-lab verify rooms -- node rooms.js).
const { createServer } = require("node:http");
const { Server } = require("socket.io");

const httpServer = createServer();
const io = new Server(httpServer);

io.on("connection", (socket) => {
  socket.on("join", (room, callback) => {
    socket.join(room);
    callback();
  });
  socket.on("room message", ({ room, text }) => {
    io.to(room).emit("room message", text);
  });
});

httpServer.listen(Number(process.env.PORT) || 3000, "127.0.0.1");
