// The reference solution of the `admin-namespace` exercise (socketio-lab verify admin-namespace -- node admin-namespace.js).
const { createServer } = require("node:http");
const { Server } = require("socket.io");

const httpServer = createServer();
const io = new Server(httpServer);

io.on("connection", () => {});

const admin = io.of("/admin");
admin.use((socket, next) => {
  if (socket.handshake.auth.token === "let-me-in") {
    next();
  } else {
    next(new Error("not authorized"));
  }
});
admin.on("connection", () => {});

httpServer.listen(Number(process.env.PORT) || 3000, "127.0.0.1");
