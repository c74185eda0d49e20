// Drives a running jcable in standalone mode with the official @anycable/web client: a JWT instead of the
// application's Connect, and a signed stream instead of a channel (cable.streamFromSigned).
//
//   node anycable-web-standalone.mjs <cable-url> <auth> <token> [signed-stream-name] [broadcast-text]
//
// <auth>: url          the token in the URL given to createCable (`createCable(url + "?jid=" + token)`)
//         sub-protocol the client's `auth: { token }` with websocketAuthStrategy "sub-protocol" (an
//                      `anycable-token.<jwt>` entry next to actioncable-v1-json)
//         expired      as url, with an expired token: the client must close for good with reason token_expired
// Environment: ANYCABLE_CLIENT_TIMEOUT_MS (default 20000), ANYCABLE_DEBUG=1 (the client's debug log, on stderr).
//
// Protocol with the caller (one line each, on stdout):
//   CONNECT reconnect=false restored=false   the cable's connect event (the server's welcome was handled)
//   WELCOME sid=<sid>         the session id the client took from the welcome ("-" if none)
//   PROTOCOL <name>           the sub-protocol the socket negotiated
//   SUBSCRIBED                streamFromSigned() is confirmed: the caller may broadcast to the stream now
//   BROADCAST ok <json>       the broadcast reached the subscription's message event
//   DONE close=<code> sent=<n>  cable.disconnect() closed the socket; n = frames the client wrote; exit code 0
//   CLOSED reason=<reason> sockets=<n>  (expired) the cable closed for good with that reason; exit code 0
//   FAIL <reason>             anything else, including a warning or error the client logs; exit code 1

import WebSocketClient from "ws";
import { clientScript, failingLogger } from "./client-script.mjs";

const AUTH = ["url", "sub-protocol", "expired"];
const [url, auth, token, signedName, broadcastText = "broadcast to a signed stream"] = process.argv.slice(2);
const timeoutMs = Number(process.env.ANYCABLE_CLIENT_TIMEOUT_MS || 20000);

const script = clientScript(timeoutMs);
const { say, finish, fail } = script;

if (!url || !/^wss?:\/\//.test(url) || !AUTH.includes(auth) || !token || (auth !== "expired" && !signedName)) {
    say("FAIL usage: node anycable-web-standalone.mjs <ws://host:port/cable> <" + AUTH.join("|")
        + "> <token> [signed-stream-name] [broadcast-text]");
    process.exit(1);
}

const sockets = [];
const sent = [];

class ObservedWebSocket extends WebSocketClient {
    constructor(address, protocols, options) {
        super(address, protocols, options);
        sockets.push(this);
    }

    send(data, ...rest) {
        sent.push(data);
        super.send(data, ...rest);
    }
}

// Closing with token_expired is what the expired case expects; anything else the client warns about fails.
const logger = failingLogger(script, auth === "expired");

const { createCable } = await import("@anycable/web");

const options = { websocketImplementation: ObservedWebSocket, protocol: "actioncable-v1-json", logger };
let cableUrl = url;
if (auth === "sub-protocol") {
    options.auth = { token };
    options.websocketAuthStrategy = "sub-protocol";
} else {
    cableUrl = url + (url.includes("?") ? "&" : "?") + "jid=" + encodeURIComponent(token);
}
const cable = createCable(cableUrl, options);
let disconnecting = false;

const describe = (error) => error ? `${error.name}: ${error.message} (reason ${error.reason})` : "no error";

if (auth === "expired") {
    cable.on("connect", () => fail("connected with an expired token"));
    cable.on("close", (error) => {
        // give a reconnect attempt (there must be none) a moment to show up before reporting
        setTimeout(() => finish(0, `CLOSED reason=${error && error.reason} sockets=${sockets.length}`), 500);
    });
    cable.connect().catch(() => {
        // the rejection is reported through the close event
    });
} else {
    cable.on("connect", ({ reconnect, restored } = {}) => {
        if (reconnect || restored) {
            return fail(`cable connect event with reconnect=${reconnect} restored=${restored}`);
        }
        say(`CONNECT reconnect=${reconnect} restored=${restored}`);
        say("WELCOME sid=" + (cable.sessionId || "-"));
        say("PROTOCOL " + ((sockets[0] && sockets[0].protocol) || "-"));
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

    const channel = cable.streamFromSigned(signedName);
    channel.on("message", (message) => {
        if (script.isFinished()) {
            return;
        }
        if (!message || message.text !== broadcastText) {
            return fail("stream received " + JSON.stringify(message));
        }
        say("BROADCAST ok " + JSON.stringify(message));
        disconnecting = true;
        sockets[0].addEventListener("close", (event) => finish(0, `DONE close=${event.code} sent=${sent.length}`));
        cable.disconnect();
    });
    try {
        await channel.ensureSubscribed();
        say("SUBSCRIBED");
    } catch (error) {
        fail("ensureSubscribed: " + describe(error));
    }
}
