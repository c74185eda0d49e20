package io.jcable.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * README's "Deploying the WAR", done and checked from outside: the built WAR at the root context of a standalone
 * Jetty 12 ({@code jetty-home}) and Tomcat 11, each configured only by the {@code ANYCABLE_*} environment,
 * against a private redis-server and the fake app ({@link OutsideCheck}: upgrade with
 * {@code actioncable-v1-json}, a subscription, a Redis broadcast, {@code /health}, readiness, metrics, 404 for the
 * rest, SIGTERM → {@code server_restart} + 1001 with the Disconnect made and the process exiting on its own).
 *
 * <p>{@code ContainerDeployCheck [war [dir with jetty-home-* and apache-tomcat-*]]} (default: the one
 * {@code target/jcable-*.war} and {@code target/containers}), run by {@code scripts/test} through the Maven
 * profiles {@code main} and {@code containers} (which unpacks the containers from Maven Central, cached in the
 * local repository). Works in {@code target/deploy}; exits 1 if a container failed.
 */
public final class ContainerDeployCheck {
    private static final Duration START_WITHIN = Duration.ofSeconds(60);

    private ContainerDeployCheck() {
    }

    public static void main(String[] args) throws Exception {
        Path war = args.length > 0 ? Path.of(args[0]) : WarDeployment.war(Path.of("target"));
        Path containers = args.length > 1 ? Path.of(args[1]) : Path.of("target", "containers");
        Path work = Path.of("target", "deploy");
        WarDeployment.deleteTree(work);
        Files.createDirectories(work);
        boolean jetty = check("jetty", work, (base, port) -> jetty(containers, war, base, port));
        boolean tomcat = check("tomcat", work, (base, port) -> tomcat(containers, war, base, port));
        // The shared WebSocket client container keeps non-daemon threads.
        System.exit(jetty && tomcat ? 0 : 1);
    }

    /** Prepares a container base for the WAR, serving on {@code port}; returns how to start the container. */
    private interface Setup {
        Launch prepare(Path base, int port) throws IOException, InterruptedException;
    }

    /**
     * How to start a prepared container: its command, the environment it needs besides the options, and a line its
     * log must show once a socket was served (null: none).
     */
    private record Launch(List<String> command, Map<String, String> environment, String servedLogLine) {
    }

    private static boolean check(String name, Path work, Setup setup) throws IOException {
        Path base = work.resolve(name + "-base");
        Path log = work.resolve(name + ".log");
        try (OutsideCheck check = new OutsideCheck(name)) {
            Process server = null;
            try {
                int port = OutsideCheck.freePort();
                Launch launch = setup.prepare(base, port);
                ProcessBuilder builder = new ProcessBuilder(launch.command()).directory(base.toFile())
                        .redirectErrorStream(true).redirectOutput(log.toFile());
                builder.environment().put("JAVA_HOME", System.getProperty("java.home"));
                builder.environment().putAll(launch.environment());
                // Only the check's own options: none the shell exports.
                CableEnvironment.replaceCableVariables(builder.environment(), check.environment());
                long started = System.nanoTime();
                server = builder.start();
                check.awaitHealth(server, port, started, START_WITHIN);
                CableClient client = check.session(port);
                if (launch.servedLogLine() != null) {
                    OutsideCheck.expect(Files.readString(log).contains(launch.servedLogLine()),
                            "the log lacks: " + launch.servedLogLine());
                    check.step("log: " + launch.servedLogLine());
                }
                check.historyReplay(port, client);
                check.sigterm(server, client);
                check.step("PASS");
                return true;
            } catch (AssertionError | RuntimeException | InterruptedException e) {
                check.fail(e, log);
                return false;
            } finally {
                if (server != null) {
                    server.destroyForcibly();
                }
            }
        }
    }

    /**
     * A Jetty base with the modules the WAR needs, the WAR as {@code webapps/ROOT.war}, started with
     * {@code java -jar $JETTY_HOME/start.jar jetty.http.port=…}.
     */
    private static Launch jetty(Path containers, Path war, Path base, int port)
            throws IOException, InterruptedException {
        Path startJar = WarDeployment.jettyBase(WarDeployment.single(containers, "jetty-home-", ""), war, base,
                base.resolveSibling("jetty-setup.log"));
        // Without the JVM flag JDK 26+ needs for it, the upgrade request stays (JettySessionTrim).
        String trimmed = "decoders yes, encoders yes, upgrade request "
                + (Runtime.version().feature() < 26 ? "yes" : "no");
        return new Launch(List.of(WarDeployment.javaCommand(), "-jar", startJar.toString(), "jetty.http.host=127.0.0.1",
                "jetty.http.port=" + port), Map.of(), "Jetty's JSR-356 sessions drop their unused parts: " + trimmed);
    }

    /**
     * A Tomcat base made by {@code bin/makebase.sh}, its HTTP connector on the chosen port (and the shutdown
     * port off), the WAR in place of the empty {@code webapps/ROOT}, started with {@code bin/catalina.sh run}.
     */
    private static Launch tomcat(Path containers, Path war, Path base, int port)
            throws IOException, InterruptedException {
        Path home = WarDeployment.single(containers, "apache-tomcat-", "").toAbsolutePath();
        WarDeployment.run(base.getParent(), base.resolveSibling("tomcat-setup.log"), "sh", home.resolve("bin/makebase.sh").toString(),
                base.toAbsolutePath().toString());
        Path serverXml = base.resolve("conf/server.xml");
        String xml = Files.readString(serverXml);
        String connector = "<Connector port=\"8080\" protocol=\"HTTP/1.1\"";
        OutsideCheck.expect(xml.contains(connector) && xml.contains("<Server port=\"8005\""),
                "unexpected conf/server.xml in " + home);
        Files.writeString(serverXml, xml.replace("<Server port=\"8005\"", "<Server port=\"-1\"")
                .replace(connector, "<Connector address=\"127.0.0.1\" port=\"" + port + "\" protocol=\"HTTP/1.1\""));
        Files.delete(base.resolve("webapps/ROOT"));
        Files.copy(war, base.resolve("webapps/ROOT.war"));
        return new Launch(List.of("sh", home.resolve("bin/catalina.sh").toString(), "run"), Map.of(
                "CATALINA_HOME", home.toString(), "CATALINA_BASE", base.toAbsolutePath().toString()), null);
    }
}
