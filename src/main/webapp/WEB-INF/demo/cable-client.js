// A small Action Cable client (protocol actioncable-v1-json): connects, keeps its subscriptions across
// reconnects, and reports states and messages to callbacks. Enough for the demo; apps use @rails/actioncable
// or @anycable/web.
const PROTOCOL = "actioncable-v1-json";
const STALE_AFTER_MS = 10000;
const MAX_RETRY_MS = 10000;

export class CableClient {
  /**
   * @param {string} url ws:// or wss:// URL of the cable
   * @param {{state: function(string, string=), received: function(string, *), subscription: function(string, string)}} on
   *   state(name, detail): "connecting", "connected", "offline" (detail: why, and when the next try is);
   *   received(identifier, message); subscription(identifier, "confirmed" | "rejected")
   */
  constructor(url, on) {
    this.url = url;
    this.on = on;
    this.identifiers = new Set();
    this.socket = null;
    this.welcomed = false;
    this.retries = 0;
    this.lastSeen = 0;
    setInterval(() => this.checkStale(), STALE_AFTER_MS / 2);
  }

  connect() {
    this.welcomed = false;
    this.on.state("connecting");
    const socket = new WebSocket(this.url, [PROTOCOL]);
    this.socket = socket;
    this.lastSeen = Date.now();
    socket.onmessage = (event) => this.handle(event.data);
    socket.onclose = (event) => {
      if (this.socket === socket) {
        this.retryLater("closed (" + event.code + ")");
      }
    };
  }

  subscribe(params) {
    const identifier = JSON.stringify(params);
    this.identifiers.add(identifier);
    this.send({ command: "subscribe", identifier });
    return identifier;
  }

  unsubscribe(identifier) {
    if (this.identifiers.delete(identifier)) {
      this.send({ command: "unsubscribe", identifier });
    }
  }

  send(command) {
    if (this.welcomed && this.socket.readyState === WebSocket.OPEN) {
      this.socket.send(JSON.stringify(command));
    }
  }

  handle(text) {
    this.lastSeen = Date.now();
    let frame;
    try {
      frame = JSON.parse(text);
    } catch {
      return;
    }
    switch (frame.type) {
      case "welcome":
        this.welcomed = true;
        this.retries = 0;
        this.on.state("connected");
        this.identifiers.forEach((identifier) => this.send({ command: "subscribe", identifier }));
        break;
      case "ping":
        break;
      case "confirm_subscription":
      case "reject_subscription":
        this.on.subscription(frame.identifier, frame.type === "confirm_subscription" ? "confirmed" : "rejected");
        break;
      case "disconnect": {
        const socket = this.socket;
        this.socket = null;
        socket.close();
        if (frame.reconnect === false) {
          this.on.state("offline", "closed by the server (" + frame.reason + ")");
        } else {
          this.retryLater("the server asked to reconnect (" + frame.reason + ")");
        }
        break;
      }
      default:
        if (frame.identifier !== undefined && "message" in frame) {
          this.on.received(frame.identifier, frame.message);
        }
    }
  }

  retryLater(why) {
    this.welcomed = false;
    this.socket = null;
    const delay = Math.min(MAX_RETRY_MS, 500 * 2 ** this.retries++);
    this.on.state("offline", why + ", retrying in " + Math.ceil(delay / 1000) + " s");
    setTimeout(() => this.connect(), delay);
  }

  /** The server pings every few seconds: silence means a dead connection the browser has not noticed. */
  checkStale() {
    if (this.socket && this.socket.readyState === WebSocket.OPEN && Date.now() - this.lastSeen > STALE_AFTER_MS) {
      this.socket.close();
    }
  }
}
