package io.jcable.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * README's "Deploying the WAR" for Jetty 12, shared by the deploy check and the benchmark's WAR target: the built
 * WAR ({@code target/jcable-*.war}), the {@code jetty-home} that the Maven profile {@code containers} unpacks
 * into {@code target/containers}, and a Jetty base with the modules the WAR needs.
 */
public final class WarDeployment {
    /** The Jetty modules of the README's deploy section, nothing more. */
    public static final String JETTY_MODULES = "http,ee10-deploy,ee10-websocket-jakarta";
    /**
     * Jetty settings of README's recommendation for many connections: 32 container threads instead of 200 (jcable
     * never blocks them; each one a connect storm starts keeps its stack and malloc arena).
     */
    public static final List<String> JETTY_SETTINGS = List.of("jetty.threadPool.maxThreads=32");
    private static final Duration SETUP_WITHIN = Duration.ofSeconds(60);

    private WarDeployment() {
    }

    /** The one {@code jcable-*.war} in {@code target}. */
    public static Path war(Path target) throws IOException {
        return single(target, "jcable-", ".war");
    }

    /**
     * Makes {@code base} a Jetty base of {@code home} with {@link #JETTY_MODULES} and the WAR as
     * {@code webapps/ROOT.war} (set-up output in {@code setupLog}); returns {@code start.jar}, to be run as
     * {@code java [flags] -jar start.jar [properties]} in {@code base}.
     */
    public static Path jettyBase(Path home, Path war, Path base, Path setupLog)
            throws IOException, InterruptedException {
        Path startJar = home.resolve("start.jar").toAbsolutePath();
        Files.createDirectories(base);
        run(base, setupLog, javaCommand(), "-jar", startJar.toString(), "--add-modules=" + JETTY_MODULES);
        Files.copy(war, base.resolve("webapps").resolve("ROOT.war"), StandardCopyOption.REPLACE_EXISTING);
        return startJar;
    }

    /**
     * README's JVM flags for many connections, from where every Maven JVM takes them ({@code .mvn/jvm.config} of
     * the project this JVM runs in), and on JDK 26+ the one {@code scripts/jdk.sh} adds there (older JVMs refuse
     * it): jcable may then clear the final field that keeps Jetty's upgrade request per socket.
     */
    public static String recommendedJvmFlags() {
        Path config = Path.of(System.getProperty("user.dir"), ".mvn", "jvm.config");
        try {
            String flags = Files.readString(config).trim().replaceAll("\\s+", " ");
            return Runtime.version().feature() >= 26 ? flags + " --enable-final-field-mutation=ALL-UNNAMED" : flags;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the recommended JVM flags from " + config, e);
        }
    }

    /** The {@code java} of this JVM. */
    public static String javaCommand() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    /** The one entry of {@code dir} named {@code prefix…suffix}. */
    public static Path single(Path dir, String prefix, String suffix) throws IOException {
        try (Stream<Path> entries = Files.list(dir)) {
            List<Path> matches = entries.filter(path -> path.getFileName().toString().startsWith(prefix)
                    && path.getFileName().toString().endsWith(suffix)).toList();
            OutsideCheck.expect(matches.size() == 1, "expected one " + prefix + "*" + suffix + " in " + dir + ": "
                    + matches);
            return matches.getFirst();
        }
    }

    /** Deletes {@code root} and everything under it, if it exists. */
    public static void deleteTree(Path root) throws IOException {
        if (Files.exists(root)) {
            try (Stream<Path> paths = Files.walk(root)) {
                for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
                    Files.delete(path);
                }
            }
        }
    }

    /** Runs a set-up command in {@code dir}, its output to {@code output}; it must succeed within a minute. */
    public static void run(Path dir, Path output, String... command) throws IOException, InterruptedException {
        Process process = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true)
                .redirectOutput(output.toFile()).start();
        OutsideCheck.expect(process.waitFor(SETUP_WITHIN.toSeconds(), TimeUnit.SECONDS) && process.exitValue() == 0,
                String.join(" ", command) + " failed:\n" + Files.readString(output));
    }
}
