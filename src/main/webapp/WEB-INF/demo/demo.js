// The demo page: a chat over a public $pubsub stream. Messages are sent as HTTP broadcasts (there is no
// application in demo mode) and shown with textContent only, never as HTML.
import { CableClient } from "./cable-client.js";

const ROOM_NAME = /^[A-Za-z0-9_-]{1,40}$/;
const byTestId = (id) => document.querySelector(`[data-testid="${id}"]`);
const ui = {
  status: byTestId("status"),
  cableUrl: byTestId("cable-url"),
  roomForm: byTestId("room-form"),
  room: byTestId("room"),
  roomState: byTestId("room-state"),
  log: byTestId("log"),
  compose: byTestId("compose"),
  message: byTestId("message"),
  send: byTestId("send"),
  me: byTestId("me"),
  notice: byTestId("notice"),
  curl: byTestId("curl"),
};
const base = new URL(".", location.href);
const cableUrl = new URL(document.body.dataset.cablePath, base);
cableUrl.protocol = location.protocol === "https:" ? "wss:" : "ws:";
const broadcastPath = document.body.dataset.broadcastPath;
const broadcastUrl = broadcastPath ? new URL(broadcastPath, base).href : null;
const me = "guest-" + Math.floor(1000 + Math.random() * 9000);

let room = null;
let roomIdentifier = null;

const cable = new CableClient(cableUrl.href, {
  state(name, detail) {
    ui.status.dataset.state = name;
    ui.status.textContent = detail ? name + ": " + detail : name;
  },
  subscription(identifier, outcome) {
    if (identifier === roomIdentifier) {
      ui.roomState.textContent = outcome === "confirmed" ? "joined " + room : "refused: " + room;
    }
  },
  received(identifier, message) {
    if (identifier === roomIdentifier) {
      show(message);
    }
  },
});

/** A broadcast's message: {from, text} from this page or the curl command, or anything another publisher sent. */
function show(message) {
  const entry = document.createElement("li");
  const from = document.createElement("span");
  from.className = "from";
  const text = document.createElement("span");
  text.className = "text";
  if (message !== null && typeof message === "object" && typeof message.text === "string") {
    from.textContent = typeof message.from === "string" ? message.from : "someone";
    text.textContent = message.text;
    entry.classList.toggle("mine", message.from === me);
  } else {
    from.textContent = "broadcast";
    text.textContent = typeof message === "string" ? message : JSON.stringify(message);
  }
  const time = document.createElement("time");
  time.textContent = new Date().toLocaleTimeString();
  entry.append(time, from, text);
  ui.log.append(entry);
  ui.log.scrollTop = ui.log.scrollHeight;
}

function join(name) {
  if (!ROOM_NAME.test(name)) {
    ui.notice.textContent = "A room name has 1 to 40 letters, digits, - or _.";
    return;
  }
  ui.notice.textContent = "";
  if (roomIdentifier) {
    cable.unsubscribe(roomIdentifier);
  }
  room = name;
  ui.room.value = name;
  ui.log.replaceChildren();
  ui.roomState.textContent = "joining " + name + "…";
  history.replaceState(null, "", "#" + name);
  roomIdentifier = cable.subscribe({ channel: "$pubsub", stream_name: name });
  ui.curl.textContent = broadcastUrl
    ? "curl -X POST -d '" + broadcastBody(name, "curl", "Hello from curl") + "' " + broadcastUrl
    : "HTTP broadcasts are off (ANYCABLE_BROADCAST_ADAPTER has no http)";
}

/** The payload of POST /_broadcast: the stream, and data (JSON text, delivered to subscribers as is). */
function broadcastBody(stream, from, text) {
  return JSON.stringify({ stream, data: JSON.stringify({ from, text }) });
}

async function send(text) {
  ui.send.disabled = true;
  try {
    const response = await fetch(broadcastUrl, { method: "POST", body: broadcastBody(room, me, text) });
    if (response.ok) {
      ui.message.value = "";
      ui.notice.textContent = "";
    } else {
      ui.notice.textContent = "The broadcast was refused: HTTP " + response.status;
    }
  } catch (error) {
    ui.notice.textContent = "The broadcast failed: " + error.message;
  } finally {
    ui.send.disabled = !broadcastUrl;
    ui.message.focus();
  }
}

ui.cableUrl.textContent = cableUrl.href;
ui.me.textContent = "you are " + me;
ui.send.disabled = !broadcastUrl;
ui.roomForm.addEventListener("submit", (event) => {
  event.preventDefault();
  join(ui.room.value.trim());
});
ui.compose.addEventListener("submit", (event) => {
  event.preventDefault();
  const text = ui.message.value.trim();
  if (text && room && broadcastUrl) {
    send(text);
  }
});
/** The room named in the address (#room, so a link joins it), else the lobby. */
function initialRoom() {
  try {
    const name = decodeURIComponent(location.hash.slice(1));
    return ROOM_NAME.test(name) ? name : "lobby";
  } catch {
    return "lobby";
  }
}

cable.connect();
join(initialRoom());
