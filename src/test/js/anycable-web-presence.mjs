// Drives a running jcable with two official @anycable/web clients (actioncable-v1-ext-json) on one public stream
// (cable.streamFrom, a $pubsub subscription with whispers and presence): Ann joins the presence set, Bob sees the
// join and reads the state, Ann whispers and Bob gets it as a message, Ann leaves and Bob sees the leave.
//
//   node anycable-web-presence.mjs <cable-url> <stream-name>
//
// Environment: ANYCABLE_CLIENT_TIMEOUT_MS (default 20000), ANYCABLE_DEBUG=1 (the clients' debug log, on stderr).
//
// Protocol with the caller (one line each, on stdout):
//   SUBSCRIBED                     both clients' subscriptions are confirmed
//   JOIN id=<id> info=<json>       Bob's channel got the presence join event
//   INFO <json>                    Bob's presence.info(): presence id → info
//   WHISPER <json>                 Bob's channel got Ann's whisper as a message
//   LEAVE id=<id>                  Bob's channel got the presence leave event
//   DONE                           both cables disconnected; exit code 0
//   FAIL <reason>                  anything else, including a warning or error a client logs; exit code 1

import WebSocketClient from "ws";
import { clientScript, failingLogger } from "./client-script.mjs";

const [url, stream] = process.argv.slice(2);
const timeoutMs = Number(process.env.ANYCABLE_CLIENT_TIMEOUT_MS || 20000);
const script = clientScript(timeoutMs);
const { say, finish, fail } = script;

if (!url || !/^wss?:\/\//.test(url) || !stream) {
    say("FAIL usage: node anycable-web-presence.mjs <ws://host:port/cable> <stream-name>");
    process.exit(1);
}

const { createCable } = await import("@anycable/web");
const logger = failingLogger(script);
const open = () => createCable(url, {
    websocketImplementation: WebSocketClient, protocol: "actioncable-v1-ext-json", logger,
});
const ann = open();
const bob = open();
const annChannel = ann.streamFrom(stream);
const bobChannel = bob.streamFrom(stream);

// Events Bob's channel got, in order; each step waits for the next one it expects.
const events = [];
let wake = () => {};
const record = (event) => {
    events.push(event);
    wake();
};
// The answer to info() comes as a presence event too: only joins and leaves are steps here.
bobChannel.on("presence", (event) => event.type === "info" || record({ kind: "presence", event }));
bobChannel.on("message", (message) => record({ kind: "message", message }));
annChannel.on("message", (message) => fail("Ann got her own whisper or a message: " + JSON.stringify(message)));

async function next(kind) {
    while (events.length === 0) {
        await new Promise((resolve) => { wake = resolve; });
    }
    const event = events.shift();
    if (event.kind !== kind) {
        throw new Error(`expected a ${kind} event, got ${JSON.stringify(event)}`);
    }
    return event;
}

try {
    await Promise.all([annChannel.ensureSubscribed(), bobChannel.ensureSubscribed()]);
    say("SUBSCRIBED");
    await annChannel.presence.join("ann-1", { name: "Ann" });
    const joined = (await next("presence")).event;
    say(`JOIN id=${joined.id} info=${JSON.stringify(joined.info)}`);
    say("INFO " + JSON.stringify(await bobChannel.presence.info()));
    await annChannel.whisper({ event: "typing", who: "Ann" });
    say("WHISPER " + JSON.stringify((await next("message")).message));
    await annChannel.presence.leave();
    const left = (await next("presence")).event;
    say(`LEAVE id=${left.id}`);
    ann.disconnect();
    bob.disconnect();
    finish(0, "DONE");
} catch (error) {
    fail(error && error.stack || String(error));
}
