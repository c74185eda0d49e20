// Drives jcable's demo page (demo mode) in Debian's Chromium with playwright-core, as a newcomer would: two tabs
// join the same room, a message typed in one appears in both, the page's own curl command (run by the shell, as
// shown) appears in both, and a message that looks like HTML is shown as text and runs nothing.
//
//   node demo-page.mjs <page-url> <screenshot-path>
//
// Environment: CHROMIUM (the browser binary, default /usr/bin/chromium), DEMO_TIMEOUT_MS (default 60000).
//
// Protocol with the caller (one line each, on stdout):
//   STATUS <a> | <b>         both tabs' status text once the welcome arrived
//   JOINED <room>            both tabs joined the room
//   CHAT ok                  a message sent from tab A appeared in both logs
//   CURL <command>           the command the page shows (then run by sh)
//   CURL ok                  its broadcast appeared in both logs
//   ESCAPED ok               the HTML-looking message shows as text in both logs, no element made, no dialog
//   SCREENSHOT <path>        the screenshot of tab A is written
//   DONE                     exit code 0
//   FAIL <reason>            anything else (a page error, a console error, a dialog, a timeout); exit code 1

import { execFile } from "node:child_process";
import { chromium } from "playwright-core";
import { clientScript } from "./client-script.mjs";

const [pageUrl, screenshotPath] = process.argv.slice(2);
const timeoutMs = Number(process.env.DEMO_TIMEOUT_MS || 60000);
const { say, finish, fail, step } = clientScript(timeoutMs);
const HOSTILE = "<img src=x onerror=alert(1)>";

if (!pageUrl || !screenshotPath) {
    fail("usage: node demo-page.mjs <page-url> <screenshot-path>");
}

const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
    headless: true,
    args: ["--no-sandbox"],
});
try {
    const room = "room-" + Math.random().toString(36).slice(2, 8);
    const [a, b] = [await open(), await open()];
    await Promise.all([a, b].map((page) => page.goto(pageUrl)));
    await Promise.all([a, b].map((page) => expectText(page, "status", "connected")));
    say(`STATUS ${await text(a, "status")} | ${await text(b, "status")}`);

    for (const page of [a, b]) {
        await page.getByTestId("room").fill(room);
        await page.getByTestId("join").click();
    }
    await Promise.all([a, b].map((page) => expectText(page, "room-state", "joined " + room)));
    step("JOINED", "JOINED " + room);

    const chat = "hello from tab A " + room;
    await a.getByTestId("message").fill(chat);
    await a.getByTestId("send").click();
    await Promise.all([a, b].map((page) => expectLogEntry(page, chat)));
    step("CHAT", "CHAT ok");

    const curl = await text(a, "curl");
    say("CURL " + curl);
    const origin = new URL(pageUrl).origin;
    if (!curl.startsWith("curl ") || !curl.endsWith(" " + origin + "/_broadcast") || !curl.includes(`"stream":"${room}"`)) {
        fail("the curl command does not name this server and room: " + curl);
    }
    await run(curl);
    await Promise.all([a, b].map((page) => expectLogEntry(page, "Hello from curl")));
    step("CURL", "CURL ok");

    await b.getByTestId("message").fill(HOSTILE);
    await b.getByTestId("send").click();
    await Promise.all([a, b].map((page) => expectLogEntry(page, HOSTILE)));
    for (const page of [a, b]) {
        const images = await page.getByTestId("log").locator("img").count();
        if (images !== 0) {
            fail(`the log made ${images} <img> element(s) of a message`);
        }
    }
    step("ESCAPED", "ESCAPED ok");

    await a.screenshot({ path: screenshotPath, fullPage: true });
    say("SCREENSHOT " + screenshotPath);
    await browser.close();
    finish(0, "DONE");
} catch (error) {
    await browser.close().catch(() => {});
    fail(error && error.message ? error.message.split("\n")[0] : String(error));
}

/** A tab of its own (its own storage, as a second browser tab of another user); anything suspicious fails. */
async function open() {
    const context = await browser.newContext({ viewport: { width: 1200, height: 820 } });
    const page = await context.newPage();
    page.setDefaultTimeout(timeoutMs / 3);
    page.on("dialog", (dialog) => fail("a dialog opened: " + dialog.type() + " " + dialog.message()));
    page.on("pageerror", (error) => fail("page error: " + error.message));
    page.on("response", (response) => {
        if (response.status() >= 400) {
            fail(`HTTP ${response.status()} for ${response.url()}`);
        }
    });
    page.on("console", (message) => {
        if (message.type() === "error") {
            fail("console error: " + message.text());
        }
    });
    return page;
}

async function text(page, testId) {
    return (await page.getByTestId(testId).textContent()).trim();
}

/** Waits until the element's whole text (trimmed) is `expected`. */
async function expectText(page, testId, expected) {
    const exactly = new RegExp("^\\s*" + expected.replace(/[.*+?^${}()|[\]\\]/g, "\\$&") + "\\s*$");
    await page.getByTestId(testId).filter({ hasText: exactly }).waitFor();
}

/** Some child of the log has `message` in its text. */
async function expectLogEntry(page, message) {
    await page.getByTestId("log").locator(":scope > *").filter({ hasText: message }).first().waitFor();
}

function run(command) {
    return new Promise((resolve, reject) => {
        execFile("sh", ["-c", command], { timeout: 10000 }, (error, stdout, stderr) =>
            error ? reject(new Error(`${command} failed: ${error.message} ${stderr}`)) : resolve(stdout));
    });
}
