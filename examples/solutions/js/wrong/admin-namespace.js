// A plausible wrong solution of the `admin-namespace` exercise (the token check guards `/` instead of `/admin`).
const { createServer } = require("node:http");
const { Server } = require("socket.io");

const httpServer = createServer();
const io = new Server(httpServer);

io.use((socket, next) => {
  const allowed = socket.handshake.auth.token === "let-me-in";
  next(allowed ? undefined : new Error("not authorized"));
});
io.on("connection", () => {});
io.of("/admin").on("connection", () => {});

httpServer.listen(Number(process.env.PORT) || 3000, "127.0.0.1");
