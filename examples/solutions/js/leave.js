// The reference solution of the `leave` exercise (socketio-lab verify leave -- node leave.js).
const { createServer } = require("node:http");
const { Server } = require("socket.io");

const httpServer = createServer();
const io = new Server(httpServer);

io.on("connection", (socket) => {
  const name = socket.handshake.auth.name;
  socket.on("join", (room, callback) => {
    socket.join(room);
    callback();
  });
  socket.on("room message", ({ room, text }) => {
    io.to(room).emit("room message", text);
  });
  socket.on("leave", (room, callback) => {
    socket.leave(room);
    callback();
  });
  // On "disconnecting" the socket is still in its rooms (on "disconnect" it is not).
  socket.on("disconnecting", () => {
    for (const room of socket.rooms) {
      if (room !== socket.id) {
        socket.to(room).emit("left", name);
      }
    }
  });
});

httpServer.listen(Number(process.env.PORT) || 3000, "127.0.0.1");
