package io.jcable.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import io.jcable.testing.CableEnvironment;
import io.jcable.testing.ChildProcesses;
import io.jcable.testing.EmbeddedCableMain;
import io.jcable.testing.WarDeployment;

/**
 * A server under test in its own process, optionally pinned with {@code taskset}, so that its CPU time and memory
 * can be read apart from the load generator's: jcable in its own JVM ({@link EmbeddedCableMain}, options from
 * {@code ANYCABLE_*} variables) or the Node reference server ({@link ReferenceServer}). Output goes to a log file,
 * deleted on {@link #close()}; a shutdown hook kills the process if this JVM exits first.
 */
final class ServerProcess implements AutoCloseable {
    private static final Duration START_TIMEOUT = Duration.ofSeconds(60);
    private static final Duration STOP_TIMEOUT = Duration.ofSeconds(10);
    private static final Pattern JCABLE_READY = Pattern.compile("^READY (\\d+)$", Pattern.MULTILINE);
    /** Jetty's log line for its started connector, after the web apps it deploys at start. */
    private static final Pattern JETTY_READY =
            Pattern.compile("Started \\S*ServerConnector@\\w+\\{[^}]*}\\{127\\.0\\.0\\.1:(\\d+)}");

    private final Process process;
    private final Path log;
    private final int port;
    private final Thread reaper;

    private ServerProcess(Process process, Path log, int port, Thread reaper) {
        this.process = process;
        this.log = log;
        this.port = port;
        this.reaper = reaper;
    }

    /**
     * Starts jcable and waits for its {@code READY <port>} line.
     *
     * @param cpus {@code taskset -c} CPU list, or "none" to leave it unpinned
     * @param env  {@code ANYCABLE_*} settings: the only ones the process gets (none of this process's own)
     */
    static ServerProcess start(String jvmFlags, String cpus, Map<String, String> env) {
        List<String> command = new ArrayList<>();
        command.add(WarDeployment.javaCommand());
        command.addAll(flags(jvmFlags));
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), EmbeddedCableMain.class.getName()));
        return start("jcable", command, cpus, env, JCABLE_READY);
    }

    /**
     * Deploys the built WAR in a standalone Jetty 12 set up as README's "Deploying the WAR" says (a Jetty base in
     * {@code target/bench-jetty-base} with {@link WarDeployment#JETTY_SETTINGS}, on a free loopback port) and waits
     * until its connector has started, after the web app.
     */
    static ServerProcess startWar(String jvmFlags, String cpus, Map<String, String> env) {
        Path target = Path.of("target");
        Path base = target.resolve("bench-jetty-base").toAbsolutePath();
        Path startJar;
        try {
            WarDeployment.deleteTree(base);
            startJar = WarDeployment.jettyBase(WarDeployment.single(target.resolve("containers"), "jetty-home-", ""),
                    WarDeployment.war(target), base, target.resolve("bench-jetty-setup.log"));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot set up the Jetty base " + base, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while setting up " + base, e);
        }
        List<String> command = new ArrayList<>();
        command.add(WarDeployment.javaCommand());
        command.addAll(flags(jvmFlags));
        command.addAll(List.of("-Djetty.base=" + base, "-jar", startJar.toString(), "jetty.http.host=127.0.0.1",
                "jetty.http.port=0"));
        command.addAll(WarDeployment.JETTY_SETTINGS);
        return start("the WAR in Jetty", command, cpus, env, JETTY_READY);
    }

    /**
     * Starts {@code command} and waits until its output matches {@code ready}, whose first group is the port.
     *
     * @param cpus {@code taskset -c} CPU list, or "none" to leave it unpinned
     * @param env  {@code ANYCABLE_*} settings: the only ones the process gets (none of this process's own)
     */
    static ServerProcess start(String name, List<String> command, String cpus, Map<String, String> env,
                               Pattern ready) {
        List<String> pinned = new ArrayList<>();
        if (!cpus.equals("none")) {
            pinned.addAll(List.of("taskset", "-c", cpus));
        }
        pinned.addAll(command);
        Path log;
        Process process;
        try {
            log = Files.createTempFile("jcable-bench-server-", ".log");
            ProcessBuilder builder = new ProcessBuilder(pinned).redirectErrorStream(true)
                    .redirectOutput(log.toFile());
            CableEnvironment.replaceCableVariables(builder.environment(), env);
            process = builder.start();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start " + name + ": " + pinned, e);
        }
        Thread reaper = ChildProcesses.reapOnExit(process, "jcable-bench-server-reaper");
        return new ServerProcess(process, log, awaitReady(name, process, log, ready), reaper);
    }

    long pid() {
        return process.pid();
    }

    int port() {
        return port;
    }

    /** SIGKILL: the process ends without its shutdown (a crashed node); {@link #close()} still cleans up. */
    void kill() {
        ChildProcesses.end(process, true, STOP_TIMEOUT);
    }

    /** SIGTERM, then SIGKILL after the stop timeout; deletes the log. */
    @Override
    public void close() {
        ChildProcesses.end(process, false, STOP_TIMEOUT);
        ChildProcesses.stopReaping(reaper);
        log.toFile().delete();
    }

    private static List<String> flags(String jvmFlags) {
        return Arrays.stream(jvmFlags.trim().split("\\s+")).filter(flag -> !flag.isEmpty()).toList();
    }

    private static int awaitReady(String name, Process process, Path log, Pattern pattern) {
        long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
        try {
            while (true) {
                Matcher ready = pattern.matcher(Files.readString(log));
                if (ready.find()) {
                    return Integer.parseInt(ready.group(1));
                }
                if (process.waitFor(100, TimeUnit.MILLISECONDS) || System.nanoTime() > deadline) {
                    process.destroyForcibly();
                    throw new IllegalStateException(name + " did not say it was ready within " + START_TIMEOUT
                            + " (exit " + (process.isAlive() ? "none" : process.exitValue()) + "):\n"
                            + Files.readString(log));
                }
            }
        } catch (IOException e) {
            process.destroyForcibly();
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while starting " + name, e);
        }
    }
}
