// What the client scripts of these tests share: the line protocol with the Java side (NodeClient: one line per
// step on stdout; "FAIL <reason>" and exit code 1 on anything unexpected, exit code 0 when done), the script's own
// deadline (so it reports a hang itself), and failing on anything thrown and not caught.

export function clientScript(timeoutMs) {
    const steps = new Set();
    let finished = false;
    const say = (line) => process.stdout.write(line + "\n");

    function finish(code, line) {
        if (finished) {
            return;
        }
        finished = true;
        say(line);
        // stdout is a pipe: let it drain before exiting
        process.stdout.write("", () => process.exit(code));
        setTimeout(() => process.exit(code), 1000).unref();
    }

    const fail = (reason) => finish(1, "FAIL " + reason);
    const step = (name, line = name) => {
        steps.add(name);
        say(line);
    };
    // Not unref'd: a script whose sockets are all gone without its last step must still report the failure.
    const deadline = setTimeout(() => fail(`timeout after ${timeoutMs} ms; steps done: ${[...steps].join(", ") || "none"}`),
        timeoutMs);
    process.on("uncaughtException", (error) => fail("uncaught " + (error && error.stack || error)));
    process.on("unhandledRejection", (error) => fail("unhandled rejection " + (error && error.stack || error)));
    return { say, finish, fail, step, steps, deadline, isFinished: () => finished };
}

// A logger for the @anycable clients: any warning or error they log means they saw something they did not expect
// (an unknown frame, a subscription without ack, a stale connection, …) and fails the script, unless `tolerate`.
export function failingLogger({ fail, isFinished }, tolerate = false) {
    return {
        level: process.env.ANYCABLE_DEBUG ? "debug" : "info",
        log(level, msg, details) {
            if (process.env.ANYCABLE_DEBUG) {
                console.error(`[${level}] ${msg}`, details === undefined ? "" : JSON.stringify(details));
            }
            if ((level === "warn" || level === "error") && !isFinished() && !tolerate) {
                fail(`client logged ${level}: ${msg} ${details === undefined ? "" : JSON.stringify(details)}`);
            }
        },
        debug(msg, details) { this.log("debug", msg, details); },
        info(msg, details) { this.log("info", msg, details); },
        warn(msg, details) { this.log("warn", msg, details); },
        error(msg, details) { this.log("error", msg, details); },
    };
}
