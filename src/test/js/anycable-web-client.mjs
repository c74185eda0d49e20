// Drives a running jcable server with the official @anycable/web client, the way a browser app does.
//
//   node anycable-web-client.mjs <cable-url> <protocol> [echo-text] [broadcast-text]
//
// <protocol> is actioncable-v1-json or actioncable-v1-ext-json (the client's `protocol` option; in ext mode the
// client also sends `history` in its subscribe frames and, with protocolOptions.pongs, {"command":"pong"} after
// every server ping).
// Environment: ANYCABLE_CLIENT_TIMEOUT_MS (default 20000), PINGS (server pings to see, default 2),
// PING_INTERVAL_MS (the client's pingInterval: its stale monitor fires after 2 of them without a ping; give it
// the server's interval, default 1000), ANYCABLE_DEBUG=1 (the client's own debug log, on stderr).
//
// Protocol with the caller (one line each, on stdout):
//   CONNECT reconnect=false restored=false   the cable's connect event (the welcome was handled)
//   WELCOME sid=<sid>         the session id the client took from the welcome ("-" if none)
//   PROTOCOL <name>           the sub-protocol the socket negotiated (must be the requested one)
//   CONNECTED <channel>       the channel's connect event fired ({reconnect: false, restored: false})
//   CONFIRMED                 ensureSubscribed() resolved for both channels
//   HISTORY <json>|none       ext: the `history` the client put in its subscribe frames; json: none sent
//   ECHO ok <json>            PerformChannel#echo answered through the channel's message event
//   SUBSCRIBED                both subscriptions are confirmed: the caller may broadcast to stream "a" now
//   BROADCAST ok <json>       the broadcast reached StreamChannel's message event
//   PING ok <n>               the n-th server ping after the broadcast reached the cable's keepalive event
//                             while cable and monitor were connected
//   PONG sent <n>             ext: the client answered a server ping with {"command":"pong"} (n-th time)
//   PINGS ok pongs=<n>        enough pings handled, never stale, never reconnected; in ext mode at least one
//                             pong was sent and a server ping arrived after it (the server kept the session)
//   DONE close=<code> sent=<n> pongs=<n>   cable.disconnect() closed the socket cleanly; n = text frames the
//                             client wrote in total, and how many of them were pongs; exit code 0
//   FAIL <reason>             anything else, including any warning or error the client logs; exit code 1
//                             (also on timeout: the script never hangs)

import WebSocketClient from "ws";
import { clientScript, failingLogger } from "./client-script.mjs";

const PROTOCOLS = ["actioncable-v1-json", "actioncable-v1-ext-json"];
const [url, protocol, echoText = "hello from @anycable/web", broadcastText = "broadcast to stream a"] = process.argv.slice(2);
const timeoutMs = Number(process.env.ANYCABLE_CLIENT_TIMEOUT_MS || 20000);
const pingsWanted = Number(process.env.PINGS || 2);
const pingInterval = Number(process.env.PING_INTERVAL_MS || 1000);
const ext = protocol === "actioncable-v1-ext-json";

const script = clientScript(timeoutMs);
const { say, finish, fail, step, steps, deadline } = script;

if (!url || !/^wss?:\/\//.test(url) || !PROTOCOLS.includes(protocol)) {
    say("FAIL usage: node anycable-web-client.mjs <ws://host:port/cable> <" + PROTOCOLS.join("|") + "> [echo-text] [broadcast-text]");
    process.exit(1);
}

// ---- the WebSocket given to the client: ws, observed ----

// The client installs its own on* handlers; this subclass only records what goes over the wire, to check what
// the client's events cannot show (the history it sends, its pongs, how many frames it wrote).
const sockets = [];
const sent = [];

class ObservedWebSocket extends WebSocketClient {
    constructor(address, protocols, options) {
        super(address, protocols, options);
        sockets.push(this);
    }

    send(data, ...rest) {
        let frame;
        try {
            frame = JSON.parse(data);
        } catch {
            return fail("the client sent a non-JSON frame: " + data);
        }
        sent.push(frame);
        super.send(data, ...rest);
        if (frame.command === "pong") {
            onPongSent();
        }
    }
}

const logger = failingLogger(script);

const { createCable } = await import("@anycable/web");

// ---- the app ----

const cable = createCable(url, {
    websocketImplementation: ObservedWebSocket,
    protocol,
    // the extended protocol answers pings only when asked to
    protocolOptions: ext ? { pongs: true } : undefined,
    pingInterval,
    logger,
});
const monitor = cable.monitor;
if (!monitor) {
    fail("@anycable/web created no monitor");
}
let disconnecting = false;
let pings = 0;
let pingsAtBroadcast = 0;
let pongs = 0;
let pingsAtFirstPong = -1;

cable.on("connect", ({ reconnect, restored } = {}) => {
    if (reconnect || restored) {
        return fail(`cable connect event with reconnect=${reconnect} restored=${restored}`);
    }
    if (steps.has("connect")) {
        return fail("second cable connect event");
    }
    step("connect", `CONNECT reconnect=${reconnect} restored=${restored}`);
    step("welcome", "WELCOME sid=" + (cable.sessionId || "-"));
    const socket = sockets[0];
    const negotiated = socket && socket.protocol;
    step("protocol", "PROTOCOL " + (negotiated || "-"));
    if (negotiated !== protocol) {
        fail(`negotiated sub-protocol ${JSON.stringify(negotiated)}, requested ${protocol}`);
    }
});

cable.on("disconnect", (error) => {
    if (!disconnecting) {
        fail("cable disconnected: " + describe(error));
    }
});

cable.on("close", (error) => {
    if (!disconnecting || error) {
        fail("cable closed: " + describe(error));
    }
});

cable.on("info", (info) => fail("unexpected cable info event: " + JSON.stringify(info)));

// the protocol emits keepalive(message) for a ping (message = its timestamp) and keepalive() for other frames;
// the monitor's own keepalive listener (registered first) has refreshed its ping clock by now
cable.on("keepalive", (message) => {
    if (script.isFinished() || message === undefined) {
        return;
    }
    if (cable.state !== "connected" || monitor.state !== "connected") {
        return fail(`ping not accepted: cable ${cable.state}, monitor ${monitor.state}`);
    }
    pings++;
    if (steps.has("broadcast") && !steps.has("pings")) {
        say("PING ok " + (pings - pingsAtBroadcast));
        checkPings();
    }
});

function onPongSent() {
    if (!ext) {
        return fail("pong sent in " + protocol);
    }
    pongs++;
    if (pingsAtFirstPong < 0) {
        pingsAtFirstPong = pings;
    }
    if (steps.has("broadcast") && !steps.has("pings")) {
        say("PONG sent " + pongs);
    }
}

function checkPings() {
    if (pings - pingsAtBroadcast < pingsWanted) {
        return;
    }
    // ext: the server got a pong and still pinged afterwards, without a disconnect in between
    if (ext && (pingsAtFirstPong < 0 || pings <= pingsAtFirstPong)) {
        return;
    }
    if (sockets.length !== 1 || monitor.attempts !== 0 || cable.state !== "connected") {
        return fail(`the client reconnected: sockets=${sockets.length}, attempts=${monitor.attempts}, cable ${cable.state}`);
    }
    step("pings", "PINGS ok pongs=" + pongs);
    disconnect();
}

function disconnect() {
    disconnecting = true;
    const socket = sockets[0];
    socket.addEventListener("close", (event) => {
        if (cable.state !== "closed" || monitor.state !== "closed") {
            return fail(`after disconnect(): cable ${cable.state}, monitor ${monitor.state}`);
        }
        clearTimeout(deadline);
        finish(0, `DONE close=${event.code} sent=${sent.length} pongs=${pongs}`);
    });
    cable.disconnect();
}

function describe(error) {
    return error ? `${error.name}: ${error.message} (reason ${error.reason})` : "no error";
}

function watch(channel, name, onMessage) {
    channel.on("connect", ({ reconnect, restored } = {}) => {
        if (reconnect || restored) {
            return fail(`${name} connect event with reconnect=${reconnect} restored=${restored}`);
        }
        step("connected " + name, "CONNECTED " + name);
    });
    channel.on("disconnect", (error) => {
        if (!disconnecting) {
            fail(name + " disconnected: " + describe(error));
        }
    });
    channel.on("close", (error) => {
        if (!disconnecting) {
            fail(name + " closed: " + describe(error));
        }
    });
    channel.on("message", (message, meta) => {
        if (!script.isFinished()) {
            onMessage(message, meta);
        }
    });
    return channel;
}

const perform = watch(cable.subscribeTo("PerformChannel"), "PerformChannel", (data) => {
    if (!data || data.response !== echoText) {
        return fail("PerformChannel received " + JSON.stringify(data));
    }
    if (steps.has("echo")) {
        return fail("echo answered twice");
    }
    step("echo", "ECHO ok " + JSON.stringify(data));
    // both subscriptions are confirmed: streams are in place server-side
    step("subscribed", "SUBSCRIBED");
});

const stream = watch(cable.subscribeTo("StreamChannel"), "StreamChannel", (data) => {
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
    pingsAtBroadcast = pings;
    checkPings();
});

try {
    await Promise.all([perform.ensureSubscribed(), stream.ensureSubscribed()]);
} catch (error) {
    fail("ensureSubscribed: " + describe(error));
}
if (!script.isFinished()) {
    step("confirmed", "CONFIRMED");
    const subscribes = sent.filter((frame) => frame.command === "subscribe");
    const identifiers = subscribes.map((frame) => frame.identifier).sort();
    if (JSON.stringify(identifiers) !== JSON.stringify([perform.identifier, stream.identifier].sort())) {
        fail("subscribe frames sent: " + JSON.stringify(subscribes));
    } else if (ext) {
        const history = subscribes.map((frame) => frame.history);
        if (!history.every((h) => h && typeof h.since === "number")) {
            fail("ext subscribe frames without history: " + JSON.stringify(subscribes));
        } else {
            step("history", "HISTORY " + JSON.stringify(history[0]));
        }
    } else if (subscribes.some((frame) => "history" in frame)) {
        fail("history sent in " + protocol + ": " + JSON.stringify(subscribes));
    } else {
        step("history", "HISTORY none");
    }
}
if (!script.isFinished()) {
    // perform resolves once the frame is written; the answer comes as a message event
    try {
        await perform.perform("echo", { text: echoText });
    } catch (error) {
        fail("perform: " + describe(error));
    }
}
