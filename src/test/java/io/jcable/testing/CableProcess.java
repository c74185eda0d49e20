package io.jcable.testing;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * jcable in its own JVM ({@link EmbeddedCableMain}), configured by a test's options (as {@link CableServer#start}
 * takes them) turned into {@code ANYCABLE_*} variables: a node that can die without its shutdown ({@link #kill}).
 * Its output is read (and dropped) once it said {@code READY <port>}; a shutdown hook kills it if the JVM exits first.
 */
public final class CableProcess implements AutoCloseable {
    private static final Duration STOP_WAIT = Duration.ofSeconds(10);

    private final Process process;
    private final int port;
    private final Thread reaper;

    private CableProcess(Process process, int port, Thread reaper) {
        this.process = process;
        this.port = port;
        this.reaper = reaper;
    }

    /** Starts it and waits for its {@code READY} line. */
    public static CableProcess start(Map<String, String> options) {
        Map<String, String> variables = new LinkedHashMap<>();
        options.forEach((name, value) -> variables.put("ANYCABLE_" + name.toUpperCase(Locale.ROOT), value));
        ProcessBuilder builder = new ProcessBuilder(ProcessHandle.current().info().command().orElse("java"), "-cp",
                System.getProperty("java.class.path"), EmbeddedCableMain.class.getName()).redirectErrorStream(true);
        CableEnvironment.replaceCableVariables(builder.environment(), variables);
        Process process;
        try {
            process = builder.start();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start jcable", e);
        }
        Thread reaper = ChildProcesses.reapOnExit(process, "jcable-process-reaper");
        BufferedReader output = new BufferedReader(new InputStreamReader(process.getInputStream(),
                StandardCharsets.UTF_8));
        try {
            String line;
            while ((line = output.readLine()) != null) {
                if (line.startsWith("READY ")) {
                    int port = Integer.parseInt(line.substring("READY ".length()).trim());
                    Thread.ofVirtual().start(() -> output.lines().forEach(ignored -> { }));
                    return new CableProcess(process, port, reaper);
                }
            }
        } catch (IOException e) {
            process.destroyForcibly();
            throw new UncheckedIOException(e);
        }
        throw new IllegalStateException("jcable process exited before it was ready");
    }

    /** {@code ws://127.0.0.1:<port><pathAndQuery>}. */
    public URI ws(String pathAndQuery) {
        return URI.create("ws://127.0.0.1:" + port + pathAndQuery);
    }

    /** SIGKILL, and waits for the exit: the node dies without its shutdown. */
    public void kill() {
        ChildProcesses.end(process, true, STOP_WAIT);
    }

    @Override
    public void close() {
        ChildProcesses.end(process, false, STOP_WAIT);
        ChildProcesses.stopReaping(reaper);
    }
}
