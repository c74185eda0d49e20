package io.jcable.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The minimal Node Action Cable server jcable is measured against (its README: {@code server.js} with
 * {@code ws} and {@code @grpc/grpc-js}), run from a temporary copy of its directory after {@code npm ci}, so the
 * original stays untouched. It gets the same fake gRPC app, Redis and channel as jcable, and the same CPUs.
 */
final class ReferenceServer implements AutoCloseable {
    private static final Pattern READY = Pattern.compile("^\\[reference\\] listening on (\\d+)", Pattern.MULTILINE);
    private static final long COMMAND_TIMEOUT_SECONDS = 300;

    private final Path copy;
    private final ServerProcess process;
    private final String nodeVersion;

    private ReferenceServer(Path copy, ServerProcess process, String nodeVersion) {
        this.copy = copy;
        this.process = process;
        this.nodeVersion = nodeVersion;
    }

    /**
     * Copies {@code source} (without its node_modules), installs its locked dependencies ({@code npm ci}, from the
     * local npm cache when it has them) and starts it on a free port.
     *
     * @param appTarget    host:port of the gRPC app
     * @param redisUrl     Redis the server subscribes to
     * @param redisChannel its broadcast channel
     * @param cpus         {@code taskset -c} list, or "none"
     */
    static ReferenceServer start(Path source, String appTarget, String redisUrl, String redisChannel, String cpus) {
        if (!Files.isRegularFile(source.resolve("server.js")) || !Files.isRegularFile(source.resolve("package.json"))) {
            throw new IllegalArgumentException("--reference: no server.js and package.json in " + source);
        }
        Path copy = null;
        try {
            copy = Files.createTempDirectory("jcable-bench-reference-");
            copyTree(source, copy);
            run(copy, "npm", "ci", "--prefer-offline", "--no-audit", "--no-fund");
            String version = run(copy, "node", "--version").strip();
            ServerProcess process = ServerProcess.start("the reference server",
                    List.of("node", copy.resolve("server.js").toString()), cpus, Map.of(
                            "PORT", Integer.toString(freePort()),
                            "ANYCABLE_RPC_HOST", appTarget,
                            "ANYCABLE_REDIS_URL", redisUrl,
                            "ANYCABLE_REDIS_CHANNEL", redisChannel), READY);
            return new ReferenceServer(copy, process, version);
        } catch (IOException e) {
            delete(copy);
            throw new UncheckedIOException("cannot prepare the reference server from " + source, e);
        } catch (RuntimeException e) {
            delete(copy);
            throw e;
        }
    }

    long pid() {
        return process.pid();
    }

    int port() {
        return process.port();
    }

    /** What {@code node --version} printed. */
    String nodeVersion() {
        return nodeVersion;
    }

    @Override
    public void close() {
        try {
            process.close();
        } finally {
            delete(copy);
        }
    }

    private static void copyTree(Path source, Path target) throws IOException {
        try (Stream<Path> files = Files.walk(source)) {
            for (Path file : (Iterable<Path>) files::iterator) {
                Path relative = source.relativize(file);
                if (relative.startsWith("node_modules")) {
                    continue;
                }
                if (Files.isDirectory(file)) {
                    Files.createDirectories(target.resolve(relative.toString()));
                } else {
                    Files.copy(file, target.resolve(relative.toString()));
                }
            }
        }
    }

    /** Runs a short command in {@code dir}; returns its output, or throws with it when the command fails. */
    private static String run(Path dir, String... command) throws IOException {
        Path log = Files.createTempFile("jcable-bench-reference-", ".log");
        try {
            Process process = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true)
                    .redirectOutput(log.toFile()).start();
            if (!process.waitFor(COMMAND_TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new IllegalStateException(String.join(" ", command) + " did not finish within "
                        + COMMAND_TIMEOUT_SECONDS + " s in " + dir);
            }
            String output = Files.readString(log);
            if (process.exitValue() != 0) {
                throw new IllegalStateException(String.join(" ", command) + " failed (exit " + process.exitValue()
                        + "):\n" + output);
            }
            return output;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted during " + String.join(" ", command), e);
        } finally {
            Files.deleteIfExists(log);
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    private static void delete(Path dir) {
        if (dir == null) {
            return;
        }
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(file -> file.toFile().delete());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot delete " + dir, e);
        }
    }
}
