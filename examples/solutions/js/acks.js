// The reference solution of the `acks` exercise (socketio-lab verify acks -- node acks.js).
const { createServer } = require("node:http");
const { Server } = require("socket.io");

const httpServer = createServer();
const io = new Server(httpServer);

io.on("connection", (socket) => {
  socket.on("double", (n, callback) => {
    callback(n * 2);
  });
});

httpServer.listen(Number(process.env.PORT) || 3000, "127.0.0.1");
