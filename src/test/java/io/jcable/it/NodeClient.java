package io.jcable.it;

import static org.junit.jupiter.api.Assertions.fail;

import io.jcable.testing.CableEnvironment;
import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A Node script of {@code src/test/js} run as a child process, whose output lines are its protocol with the test:
 * one line per step, {@code FAIL <reason>} on anything unexpected. The script enforces its own timeout; this side
 * waits a little longer so that the script reports its failure itself.
 */
final class NodeClient implements AutoCloseable {
    static final Path JS_DIR = Path.of(System.getProperty("user.dir"), "src", "test", "js");
    private static final Duration GRACE = Duration.ofSeconds(10);
    private static final Duration READER_JOIN = Duration.ofSeconds(5);
    private static final String EOF = "\u0000EOF";

    private final String label;
    private final Process process;
    private final Thread reader;
    private final Duration wait;
    private final BlockingQueue<String> lines = new LinkedBlockingQueue<>();
    private final List<String> output = new ArrayList<>();

    private NodeClient(String label, Process process, Duration wait) {
        this.label = label;
        this.process = process;
        this.wait = wait;
        this.reader = Thread.ofVirtual().name("node-output").start(this::pump);
    }

    /**
     * Starts {@code node <script> <args…>} in the project directory (stderr merged into the output), after checking
     * that node, the script and the npm packages are there; fails with the setup command otherwise (never skips).
     *
     * @param label         what the failure messages call the client
     * @param clientTimeout the script's own timeout (the caller passes it to the script through {@code env})
     * @param packages      npm package names the script imports, e.g. {@code @rails/actioncable}
     */
    static NodeClient start(String label, String script, List<String> packages, Duration clientTimeout,
            Map<String, String> env, String... args) throws IOException {
        Path node = requireNode();
        Path scriptPath = JS_DIR.resolve(script);
        if (!Files.isRegularFile(scriptPath)) {
            fail("missing " + scriptPath);
        }
        List<String> missing = packages.stream()
                .filter(name -> !Files.isRegularFile(JS_DIR.resolve("node_modules").resolve(name).resolve("package.json")))
                .toList();
        if (!missing.isEmpty()) {
            fail("npm packages " + missing + " of the JavaScript client tests are not installed ("
                    + JS_DIR.resolve("node_modules") + "); run `npm ci --prefix src/test/js` from the project directory"
                    + " before `mvn test` (scripts/test does)");
        }
        List<String> command = new ArrayList<>(List.of(node.toString(), scriptPath.toString()));
        command.addAll(List.of(args));
        ProcessBuilder builder = new ProcessBuilder(command)
                .directory(new File(System.getProperty("user.dir")))
                .redirectErrorStream(true);
        // The scripts read ANYCABLE_* settings of their own: only the test's, none the shell exports.
        CableEnvironment.replaceCableVariables(builder.environment(), env);
        Process process = builder.start();
        process.getOutputStream().close();
        return new NodeClient(label, process, clientTimeout.plus(GRACE));
    }

    /** The node executable from the PATH; fails with the setup command when it is missing. */
    private static Path requireNode() {
        String windows = System.getProperty("os.name", "").toLowerCase().startsWith("windows") ? ".exe" : "";
        for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
            if (dir.isEmpty()) {
                continue;
            }
            Path candidate = Path.of(dir, "node" + windows);
            if (Files.isRegularFile(candidate) && Files.isExecutable(candidate)) {
                return candidate;
            }
        }
        return fail("`node` (Node.js 18+) is not on the PATH; install it, then run `npm ci --prefix src/test/js`"
                + " (scripts/test does both)");
    }

    private void pump() {
        try (BufferedReader in = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
            for (String line = in.readLine(); line != null; line = in.readLine()) {
                lines.add(line);
            }
        } catch (IOException e) {
            lines.add("FAIL reading node output: " + e);
        } finally {
            lines.add(EOF);
        }
    }

    /** Collects lines until one starts with {@code prefix}; fails on a FAIL line, end of output or timeout. */
    void awaitLine(String prefix) throws InterruptedException {
        long deadline = System.nanoTime() + wait.toNanos();
        while (true) {
            String line = lines.poll(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            if (line == null) {
                fail("no `" + prefix + "` line from node within " + wait + "; output:\n" + transcript());
            }
            if (line.equals(EOF)) {
                lines.add(EOF);
                fail("node ended before `" + prefix + "`; output:\n" + transcript());
            }
            output.add(line);
            if (line.startsWith("FAIL")) {
                fail("the " + label + " failed: " + line + "\noutput:\n" + transcript());
            }
            if (line.startsWith(prefix)) {
                return;
            }
        }
    }

    /** Waits for the process to end and collects the rest of its output; returns its exit code. */
    int awaitExit() throws InterruptedException {
        drain();
        if (!process.waitFor(wait.toSeconds(), TimeUnit.SECONDS)) {
            fail("node did not exit within " + wait + "; output:\n" + transcript());
        }
        reader.join(READER_JOIN);
        drain();
        return process.exitValue();
    }

    private void drain() {
        for (String line = lines.poll(); line != null; line = lines.poll()) {
            if (line.equals(EOF)) {
                lines.add(EOF);
                return;
            }
            output.add(line);
        }
    }

    /** The lines collected so far. */
    List<String> output() {
        return List.copyOf(output);
    }

    String transcript() {
        return String.join("\n", output);
    }

    /** What follows {@code prefix} on the first line starting with it; AssertionError when there is none. */
    String valueAfter(String prefix) {
        return output.stream().filter(line -> line.startsWith(prefix)).findFirst()
                .map(line -> line.substring(prefix.length()))
                .orElseThrow(() -> new AssertionError("no `" + prefix + "` line in:\n" + transcript()));
    }

    /** Every expected prefix matches a line, each after the previous one's line. */
    void assertInOrder(String... prefixes) {
        int from = 0;
        for (String prefix : prefixes) {
            int found = -1;
            for (int i = from; i < output.size(); i++) {
                if (output.get(i).startsWith(prefix)) {
                    found = i;
                    break;
                }
            }
            if (found < 0) {
                throw new AssertionError("expected a line starting with `" + prefix + "` after line " + from
                        + " in:\n" + transcript());
            }
            from = found + 1;
        }
    }

    /** No {@code FAIL} line at all. */
    void assertNoFailure() {
        if (output.stream().anyMatch(line -> line.startsWith("FAIL"))) {
            throw new AssertionError("the " + label + " reported a failure:\n" + transcript());
        }
    }

    /** Kills the process if it still runs. */
    @Override
    public void close() throws InterruptedException {
        if (process.isAlive()) {
            process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
        }
    }
}
