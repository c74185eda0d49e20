// The official @anycable/web client in the extended protocol, subscribed to one stream, reporting every message
// it gets and every connection it makes, so that the caller can break its network and check what it missed came
// back (see AnycableWebReliableTest).
//
//   node anycable-web-reliable.mjs <cable-url> <stream> <total>
//
// The client subscribes to NamedStreamChannel (the fake app streams from <stream>), reconnects by itself 100 ms
// after a lost connection (restoring its session with ?sid= when the server keeps it, else resubscribing with
// history by offset), and ends once <total> messages have arrived (and, after a lost connection, the answer to
// its history request). Each broadcast's data is {"n": <number>}.
// Environment: ANYCABLE_CLIENT_TIMEOUT_MS (default 30000), ANYCABLE_DEBUG=1 (the client's debug log on stderr).
//
// Protocol with the caller (one line each, on stdout):
//   CONNECT reconnect=<bool> restored=<bool> sid=<sid>   the cable's connect event (after each welcome)
//   SUBSCRIBED                the channel's first subscription is confirmed
//   MESSAGE <n> offset=<offset> epoch=<epoch>   a message reached the channel's message event
//   DISCONNECTED              the cable lost its connection (its disconnect event)
//   SENT <json>               a history request the client wrote after a lost connection (a history command, or
//                             a subscribe with history)
//   HISTORY <type>            the channel's history info event: history_received or history_not_found
//   RECEIVED <json array>     done: every n, in the order the channel got them
//   DONE                      cable.disconnect() closed the socket; exit code 0
//   FAIL <reason>             anything else, including a warning or error the client logs while connected
//                             (while it is away, its reconnect attempts may log); exit code 1, also on timeout

import WebSocketClient from "ws";
import { clientScript } from "./client-script.mjs";

const [url, streamName, totalText] = process.argv.slice(2);
const total = Number(totalText);
const timeoutMs = Number(process.env.ANYCABLE_CLIENT_TIMEOUT_MS || 30000);

const script = clientScript(timeoutMs);
const { say, finish, fail, step, steps, deadline } = script;

if (!url || !/^wss?:\/\//.test(url) || !streamName || !(total > 0)) {
    say("FAIL usage: node anycable-web-reliable.mjs <ws://host:port/cable> <stream> <total>");
    process.exit(1);
}

let disconnects = 0;
let historyAnswers = 0;
let away = false;
let disconnecting = false;
const received = [];

// Records the history requests the client writes (the client's events do not show them).
class ObservedWebSocket extends WebSocketClient {
    send(data, ...rest) {
        const frame = JSON.parse(data);
        if (frame.command === "history" || (frame.command === "subscribe" && disconnects > 0 && frame.history)) {
            say("SENT " + data);
        }
        super.send(data, ...rest);
    }
}

const logger = {
    level: process.env.ANYCABLE_DEBUG ? "debug" : "info",
    log(level, msg, details) {
        if (process.env.ANYCABLE_DEBUG) {
            console.error(`[${level}] ${msg}`, details === undefined ? "" : JSON.stringify(details));
        }
        if ((level === "warn" || level === "error") && !away && !disconnecting && !script.isFinished()) {
            fail(`client logged ${level}: ${msg} ${details === undefined ? "" : JSON.stringify(details)}`);
        }
    },
    debug(msg, details) { this.log("debug", msg, details); },
    info(msg, details) { this.log("info", msg, details); },
    warn(msg, details) { this.log("warn", msg, details); },
    error(msg, details) { this.log("error", msg, details); },
};

const { createCable } = await import("@anycable/web");

const cable = createCable(url, {
    websocketImplementation: ObservedWebSocket,
    protocol: "actioncable-v1-ext-json",
    // a short, fixed reconnect delay: the caller holds the attempt at its proxy until it lets it through
    reconnectStrategy: () => 100,
    logger,
});

cable.on("connect", ({ reconnect, restored } = {}) => {
    away = false;
    say(`CONNECT reconnect=${reconnect} restored=${restored} sid=${cable.sessionId || "-"}`);
});

cable.on("disconnect", () => {
    if (!disconnecting) {
        away = true;
        disconnects++;
        say("DISCONNECTED");
    }
});

cable.on("close", (error) => {
    if (!disconnecting) {
        fail("cable closed: " + (error ? error.message : "no error"));
    }
});

const subscription = cable.subscribeTo("NamedStreamChannel", { stream: streamName });

subscription.on("message", (data, meta) => {
    if (script.isFinished()) {
        return;
    }
    if (!data || typeof data.n !== "number") {
        return fail("unexpected message " + JSON.stringify(data));
    }
    received.push(data.n);
    say(`MESSAGE ${data.n} offset=${meta && meta.offset} epoch=${meta && meta.epoch}`);
    finishWhenComplete();
});

subscription.on("info", (info) => {
    if (info && (info.type === "history_received" || info.type === "history_not_found")) {
        historyAnswers++;
        say("HISTORY " + info.type);
        finishWhenComplete();
    }
});

// Done with <total> messages and, after a lost connection, the answer to the history request (the replay may
// hold every message the client still needs, so they can all arrive before its confirm_history).
function finishWhenComplete() {
    if (script.isFinished() || received.length < total || (disconnects > 0 && historyAnswers === 0)) {
        return;
    }
    step("received", "RECEIVED " + JSON.stringify(received));
    disconnecting = true;
    clearTimeout(deadline);
    cable.disconnect();
    finish(0, "DONE");
}

try {
    await subscription.ensureSubscribed();
    if (!steps.has("subscribed")) {
        step("subscribed", "SUBSCRIBED");
    }
} catch (error) {
    fail("ensureSubscribed: " + error);
}
