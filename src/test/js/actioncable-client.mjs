// Drives a running jcable server with the official @rails/actioncable client, the way a browser app does.
//
//   node actioncable-client.mjs <cable-url> [echo-text] [broadcast-text]
//
// Environment: ACTIONCABLE_CLIENT_TIMEOUT_MS (default 20000), PINGS (server pings to see, default 2),
// ACTIONCABLE_DEBUG=1 (the client's own logger, on stderr).
//
// Protocol with the caller (one line each, on stdout):
//   WELCOME sid=<sid>         the welcome frame arrived (sid as sent by the server, "-" if none)
//   CONNECTED <channel>       the subscription's connected callback fired ({reconnected: false})
//   PROTOCOL <name>           the sub-protocol the socket negotiated
//   ECHO ok <json>            PerformChannel#echo answered through the received callback
//   SUBSCRIBED                both subscriptions are confirmed: the caller may broadcast to stream "a" now
//   BROADCAST ok <json>       the broadcast reached StreamChannel's received callback
//   PING ok <n>               the n-th server ping was handled and refreshed the client's stale monitor
//   PINGS ok                  enough pings handled, never stale, never reconnected
//   DONE                      the consumer disconnected cleanly; exit code 0
//   FAIL <reason>             anything else; exit code 1 (also on timeout: the script never hangs)

import WebSocketClient from "ws";
import { clientScript } from "./client-script.mjs";

const [url, echoText = "hello from @rails/actioncable", broadcastText = "broadcast to stream a"] = process.argv.slice(2);
const timeoutMs = Number(process.env.ACTIONCABLE_CLIENT_TIMEOUT_MS || 20000);
const pingsWanted = Number(process.env.PINGS || 2);

const script = clientScript(timeoutMs);
const { say, finish, fail, step, steps, deadline } = script;

if (!url || !/^wss?:\/\//.test(url)) {
    say("FAIL usage: node actioncable-client.mjs <ws://host:port/cable> [echo-text] [broadcast-text]");
    process.exit(1);
}

// ---- what @rails/actioncable expects from a browser, provided before the module is loaded ----

// 1. WebSocket: the module captures `globalThis.WebSocket` into `adapters.WebSocket` when it is evaluated,
//    so it must be set before the import (Node 20 has no global WebSocket; Node 22's native one is replaced
//    by `ws` on purpose). The subclass only observes frames; the client installs its own on* handlers.
const sockets = [];
const frames = [];

class ObservedWebSocket extends WebSocketClient {
    constructor(address, protocols) {
        super(address, protocols);
        sockets.push(this);
        this.addEventListener("message", (event) => {
            let frame;
            try {
                frame = JSON.parse(event.data);
            } catch {
                return fail("server sent a non-JSON frame: " + event.data);
            }
            frames.push(frame);
            // runs before the client's onmessage handler (registered later): look after it has run
            setImmediate(() => observe(frame));
        });
    }
}

globalThis.WebSocket = ObservedWebSocket;

// 2. window.addEventListener / removeEventListener: ConnectionMonitor.start() listens for "visibilitychange"
//    on the global object and throws a ReferenceError in Node without them. A plain EventTarget stands in for
//    window; no visibilitychange is ever dispatched (a Node process is never hidden).
// `document` is only touched for relative URLs (createWebSocketURL) and <meta name="action-cable-url">
// (getConfig); with an absolute ws:// URL it is never needed, so it is deliberately not shimmed.
const windowEvents = new EventTarget();
globalThis.addEventListener = windowEvents.addEventListener.bind(windowEvents);
globalThis.removeEventListener = windowEvents.removeEventListener.bind(windowEvents);

const ActionCable = await import("@rails/actioncable");

if (ActionCable.adapters.WebSocket !== ObservedWebSocket) {
    fail("@rails/actioncable did not pick up the ws WebSocket");
}
if (process.env.ACTIONCABLE_DEBUG) {
    ActionCable.adapters.logger = { log: (...args) => console.error(...args) };
    ActionCable.logger.enabled = true;
}

// ---- the app ----

const consumer = ActionCable.createConsumer(url);
const monitor = consumer.connection.monitor;
let disconnecting = false;
let pings = 0;

function observe(frame) {
    if (script.isFinished()) {
        return;
    }
    if (frame.type === "welcome") {
        step("welcome", "WELCOME sid=" + (frame.sid || "-"));
    } else if (frame.type === "ping") {
        // the client records every message it handles; a ping must refresh the stale detector
        if (!monitor.isRunning() || monitor.connectionIsStale() || !consumer.connection.isOpen()) {
            return fail(`ping not accepted: monitor running=${monitor.isRunning()}, stale=${monitor.connectionIsStale()}, `
                + `open=${consumer.connection.isOpen()}`);
        }
        pings++;
        if (steps.has("broadcast") && !steps.has("pings")) {
            say("PING ok " + pings);
            checkPings();
        }
    } else if (frame.type === "disconnect") {
        fail("server sent a disconnect: " + JSON.stringify(frame));
    }
}

const pingsAtBroadcast = { count: 0 };

function checkPings() {
    if (pings - pingsAtBroadcast.count < pingsWanted) {
        return;
    }
    if (sockets.length !== 1 || monitor.reconnectAttempts !== 0 || consumer.connection.reconnectAttempted) {
        return fail(`the client reconnected: sockets=${sockets.length}, reconnectAttempts=${monitor.reconnectAttempts}`);
    }
    step("pings", "PINGS ok");
    disconnect();
}

function disconnect() {
    disconnecting = true;
    const socket = sockets[0];
    socket.addEventListener("close", (event) => {
        if (consumer.connection.isActive()) {
            return fail("the consumer is still active after disconnect()");
        }
        clearTimeout(deadline);
        finish(0, `DONE close=${event.code}`);
    });
    consumer.disconnect();
}

function callbacks(channel, more) {
    return {
        connected({ reconnected } = {}) {
            if (reconnected) {
                return fail(channel + " connected with reconnected=true");
            }
            step("connected " + channel, "CONNECTED " + channel);
            if (steps.has("connected PerformChannel") && steps.has("connected StreamChannel") && !steps.has("protocol")) {
                const protocol = consumer.connection.getProtocol();
                if (!consumer.connection.isProtocolSupported()) {
                    return fail("unsupported sub-protocol: " + protocol);
                }
                step("protocol", "PROTOCOL " + protocol);
                // a browser app performs once connected
                perform.perform("echo", { text: echoText });
            }
        },
        disconnected(details) {
            if (!disconnecting) {
                fail(channel + " disconnected: " + JSON.stringify(details));
            }
        },
        rejected() {
            fail(channel + " subscription rejected");
        },
        ...more,
    };
}

const perform = consumer.subscriptions.create({ channel: "PerformChannel" }, callbacks("PerformChannel", {
    received(data) {
        if (!data || data.response !== echoText) {
            return fail("PerformChannel received " + JSON.stringify(data));
        }
        if (steps.has("echo")) {
            return fail("echo answered twice");
        }
        step("echo", "ECHO ok " + JSON.stringify(data));
        // both subscriptions are confirmed (connected fired): streams are in place server-side
        step("subscribed", "SUBSCRIBED");
    },
}));

consumer.subscriptions.create({ channel: "StreamChannel" }, callbacks("StreamChannel", {
    received(data) {
        if (!steps.has("subscribed")) {
            return fail("StreamChannel received before SUBSCRIBED: " + JSON.stringify(data));
        }
        if (!data || data.text !== broadcastText) {
            return fail("StreamChannel received " + JSON.stringify(data));
        }
        if (steps.has("broadcast")) {
            return fail("broadcast received twice");
        }
        step("broadcast", "BROADCAST ok " + JSON.stringify(data));
        pingsAtBroadcast.count = pings;
        checkPings();
    },
}));
