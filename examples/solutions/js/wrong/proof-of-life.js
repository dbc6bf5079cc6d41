// A plausible wrong solution of the `proof-of-life` exercise (logs the connections but forgets the disconnections).
const { createServer } = require("node:http");
const { Server } = require("socket.io");

const httpServer = createServer();
const io = new Server(httpServer);

io.on("connection", () => {
  console.log("a user connected");
});

httpServer.listen(Number(process.env.PORT) || 3000, "127.0.0.1");
