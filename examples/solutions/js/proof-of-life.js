// The reference solution of the `proof-of-life` exercise (socketio-lab verify proof-of-life -- node proof-of-life.js).
const { createServer } = require("node:http");
const { Server } = require("socket.io");

const httpServer = createServer();
const io = new Server(httpServer);

io.on("connection", (socket) => {
  console.log("a user connected");
  socket.on("disconnect", () => {
    console.log("user disconnected");
  });
});

httpServer.listen(Number(process.env.PORT) || 3000, "127.0.0.1");
