package io.jcable.testing;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.IntFunction;
import java.util.stream.Stream;

/**
 * A test's private server process (nats-server, redis-sentinel, a Redis replica) on a free local port: started,
 * stopped (SIGTERM, or SIGKILL with {@link #kill}) and restarted on the same port; a shutdown hook kills it if the
 * JVM exits without {@link #close()}. Up means the port accepts a TCP connection.
 */
public final class LocalServerProcess implements AutoCloseable {
    private static final Duration START_TIMEOUT = Duration.ofSeconds(10);
    private static final Duration STOP_WAIT = Duration.ofSeconds(5);

    private final Path executable;
    private final int port;
    private final IntFunction<List<String>> arguments;
    private final Path log;
    private final ReentrantLock lock = new ReentrantLock();
    private final Thread reaper = new Thread(this::kill, "server-process-reaper");
    private volatile Process process;

    private LocalServerProcess(Path executable, int port, IntFunction<List<String>> arguments, Path log) {
        this.executable = executable;
        this.port = port;
        this.arguments = arguments;
        this.log = log;
    }

    /** Starts {@code executable} (found on PATH or in /usr/sbin, /usr/bin) with the arguments for a free port. */
    public static LocalServerProcess start(String executable, IntFunction<List<String>> arguments) {
        try {
            LocalServerProcess server = new LocalServerProcess(locate(executable), freePort(), arguments,
                    Files.createTempFile("jcable-" + executable + "-", ".log"));
            server.launch();
            Runtime.getRuntime().addShutdownHook(server.reaper);
            return server;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public int port() {
        return port;
    }

    /** SIGTERM, and waits for the exit. */
    public void stop() {
        end(false);
    }

    /** SIGKILL, and waits for the exit. */
    public void kill() {
        end(true);
    }

    private void end(boolean forcibly) {
        lock.lock();
        try {
            Process running = process;
            if (running == null) {
                return;
            }
            ChildProcesses.end(running, forcibly, STOP_WAIT);
            process = null;
        } finally {
            lock.unlock();
        }
    }

    /** Starts it again on the same port (after {@link #stop} or {@link #kill}). */
    public void restart() {
        lock.lock();
        try {
            end(false);
            launch();
        } finally {
            lock.unlock();
        }
    }

    /** A directory for this process's files (created once, beside its log; removed on close). */
    private Path workDirectory() throws IOException {
        Path directory = log.resolveSibling(log.getFileName() + ".d");
        Files.createDirectories(directory);
        return directory;
    }

    public String logText() {
        try {
            return Files.readString(log);
        } catch (IOException e) {
            return "(log unreadable: " + e + ")";
        }
    }

    @Override
    public void close() {
        end(false);
        ChildProcesses.stopReaping(reaper);
        try {
            Files.deleteIfExists(log);
            Path directory = log.resolveSibling(log.getFileName() + ".d");
            if (Files.isDirectory(directory)) {
                try (var files = Files.walk(directory)) {
                    for (Path file : files.sorted(java.util.Comparator.reverseOrder()).toList()) {
                        Files.deleteIfExists(file);
                    }
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private void launch() {
        List<String> command = new ArrayList<>();
        command.add(executable.toString());
        command.addAll(arguments.apply(port));
        try {
            // Runs in a directory of its own: a replica writes the RDB it receives there, a sentinel its config.
            process = new ProcessBuilder(command).directory(workDirectory().toFile()).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot spawn " + executable, e);
        }
        long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
        while (!accepts()) {
            try {
                if (process.waitFor(20, TimeUnit.MILLISECONDS)) {
                    throw new IllegalStateException(executable + " exited with " + process.exitValue() + ": " + logText());
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
            if (System.nanoTime() > deadline) {
                process.destroyForcibly();
                throw new IllegalStateException(executable + " did not listen on " + port + ": " + logText());
            }
        }
    }

    private boolean accepts() {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", port), 200);
            return true;
        } catch (IOException notYet) {
            return false;
        }
    }

    static Path locate(String name) {
        String path = System.getenv().getOrDefault("PATH", "");
        return Stream.concat(Stream.of(path.split(File.pathSeparator)), Stream.of("/usr/sbin", "/usr/bin"))
                .filter(dir -> !dir.isEmpty())
                .map(dir -> Path.of(dir, name))
                .filter(Files::isExecutable)
                .findFirst()
                .orElseThrow(() -> new IllegalStateException(name + " not found on PATH, in /usr/sbin or /usr/bin: "
                        + "install it (scripts/test installs redis-server, nats-server and redis-sentinel)"));
    }

    static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
