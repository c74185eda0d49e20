package io.jcable.testing;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The start contract that acceptance tests rely on, checked from outside exactly as they use it:
 * {@code mvn -B jetty:run -Djetty.http.port=P} with the {@code ANYCABLE_*} options in the environment, against a
 * private redis-server and the fake app. The endpoint {@code ws://127.0.0.1:P/cable} must accept upgrades within
 * 120 s, forward the configured headers, deliver the app's welcome, a subscription and a Redis broadcast, serve
 * nothing of the web app's files; the Maven JVM must run with the memory flags of {@code .mvn/jvm.config};
 * SIGTERM must give the client {@code server_restart} and a 1001 close, make its Disconnect call, and end the
 * process within 30 s.
 *
 * <p>Run by {@code scripts/test} after {@code mvn test}, through the Maven profile {@code main}: it cannot run
 * inside Surefire, because {@code jetty:run} builds into the same {@code target/}. Prints one line per step; exits
 * 1 on the first failure, after printing the end of the server's log.
 */
public final class StartContractCheck {
    private static final Duration UPGRADE_WITHIN = Duration.ofSeconds(120);

    private StartContractCheck() {
    }

    public static void main(String[] args) throws Exception {
        Path log = Path.of("target", "start-contract.log");
        boolean passed = false;
        try (OutsideCheck check = new OutsideCheck("start contract")) {
            int port = OutsideCheck.freePort();
            ProcessBuilder builder = new ProcessBuilder("mvn", "-B", "jetty:run", "-Djetty.http.port=" + port)
                    .redirectErrorStream(true).redirectOutput(log.toFile());
            builder.environment().put("JAVA_HOME", System.getProperty("java.home"));
            // Only the check's own options: none the shell exports.
            CableEnvironment.replaceCableVariables(builder.environment(), check.environment());
            long started = System.nanoTime();
            Process server = builder.start();
            try {
                check.awaitHealth(server, port, started, UPGRADE_WITHIN);
                checkJvmFlags(check, server.pid());
                CableClient client = check.session(port);
                check.sigterm(server, client);
                check.step("PASS");
                passed = true;
            } catch (AssertionError | RuntimeException e) {
                check.fail(e, log);
            } finally {
                // Before the exit below, passed or not: a failed check must not leave jetty:run running.
                server.destroyForcibly().waitFor();
            }
        }
        // The shared WebSocket client container keeps non-daemon threads.
        System.exit(passed ? 0 : 1);
    }

    /** The flags of {@code .mvn/jvm.config} reach the JVM {@code jetty:run} runs in (Debian's mvn execs java). */
    private static void checkJvmFlags(OutsideCheck check, long pid) throws IOException, InterruptedException {
        Path jcmd = Path.of(System.getProperty("java.home"), "bin", "jcmd");
        Process probe = new ProcessBuilder(jcmd.toString(), Long.toString(pid), "VM.flags").redirectErrorStream(true)
                .start();
        String flags = new String(probe.getInputStream().readAllBytes());
        OutsideCheck.expect(probe.waitFor(30, TimeUnit.SECONDS), "jcmd did not finish");
        List<String> expected = new ArrayList<>(List.of("-XX:+UseSerialGC", "-XX:MaxNewSize=16777216",
                "-XX:MaxHeapFreeRatio=10", "-XX:+UseStringDeduplication"));
        if (Runtime.version().feature() >= 25) {
            expected.add("-XX:+UseCompactObjectHeaders");
        }
        for (String flag : expected) {
            OutsideCheck.expect(flags.contains(flag), "the jetty:run JVM lacks " + flag + ": " + flags);
        }
        check.step("the jetty:run JVM runs with " + String.join(" ", expected) + " (.mvn/jvm.config)");
    }
}
