// The page's entry: the address says which view to draw.
import { el, fill, getJson } from "./common.js";

const main = document.getElementById("main");
const path = location.pathname;

async function home() {
  document.title = "socketio-lab";
  const list = await getJson("/api/lessons");
  const lessons = list.lessons.map((l) =>
    el("li", {}, el("a", { href: `/lesson/${encodeURIComponent(l.id)}` }, l.title),
      el("span", { class: "muted" }, ` ${l.id}, ${l.steps} steps`)));
  fill(main, 
    el("h1", {}, "Learn Socket.IO by watching it work"),
    el("p", { class: "intro" },
      "Each lesson runs on a real Socket.IO server on this machine, with named clients. " +
      "Step through it and see which socket received each event, next to the code that sent it."),
    el("h2", {}, "Lessons"),
    el("ul", { class: "lessons" }, lessons),
    el("h2", {}, "For everyone"),
    el("p", {}, el("a", { href: "/demo" }, list.demo),
      " — the chat example in plain words, where you can join the conversation."),
  );
}

async function start() {
  try {
    if (path === "/demo") (await import("./demo.js")).show(main);
    else if (path.startsWith("/lesson/")) {
      (await import("./lesson.js")).show(main, decodeURIComponent(path.slice("/lesson/".length)));
    } else await home();
  } catch (error) {
    fill(main, el("p", { class: "bad", role: "alert" }, `The lab cannot be shown: ${error.message}`));
  }
}

start();
