// Sends one Socket.IO event of a given size over a raw WebSocket (the `ws` package
// the `socket.io` package already brings) and prints the close code the server's
// close frame carried: what the lab's own client cannot see.
//
//   node close-check.js http://127.0.0.1:PORT BYTES
//
// BYTES is the size of the whole message, `42["big","xxx…"]`. Prints `open` when
// the server kept the connection and echoed nothing for 2 s after a sync.
"use strict";

const WebSocket = require("ws");

const [url, bytes] = [process.argv[2], Number(process.argv[3])];
if (!url || !(bytes > 12)) {
  console.error("usage: node close-check.js URL BYTES");
  process.exit(2);
}
const ws = new WebSocket(`${url.replace(/^http/, "ws")}/socket.io/?EIO=4&transport=websocket`);
// Give up on anything that takes longer than this: the check never hangs.
const limit = setTimeout(() => {
  console.log("open");
  process.exit(0);
}, 5000);
ws.on("message", (data) => {
  const text = data.toString();
  if (text.startsWith("0")) ws.send('40{"name":"big"}');
  if (text.startsWith("40")) {
    // `42["big","` and `"]` are 12 bytes around the text.
    ws.send(`42["big","${"x".repeat(bytes - 12)}"]`);
    ws.send('421["lab:sync"]');
  }
  if (text.startsWith("431")) {
    clearTimeout(limit);
    console.log("open");
    process.exit(0);
  }
});
ws.on("close", (code) => {
  clearTimeout(limit);
  console.log(String(code));
  process.exit(0);
});
ws.on("error", () => {});
