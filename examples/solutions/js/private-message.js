// The reference solution of the `private-message` exercise (socketio-lab verify private-message -- node private-message.js).
const { createServer } = require("node:http");
const { Server } = require("socket.io");

const httpServer = createServer();
const io = new Server(httpServer);

io.on("connection", (socket) => {
  socket.on("private message", ({ to, text }) => {
    // Every socket sits in a room named by its own id.
    socket.to(to).emit("private message", { from: socket.id, text });
  });
});

httpServer.listen(Number(process.env.PORT) || 3000, "127.0.0.1");
