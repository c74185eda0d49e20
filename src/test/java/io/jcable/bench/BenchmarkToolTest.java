package io.jcable.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jcable.testing.WarDeployment;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Runs every benchmark scenario at a tiny size against one jcable process started by the tool (private Redis,
 * fake gRPC app), to prove the tool works end to end. No timing is asserted: only that each scenario connected
 * every client, lost nothing, filled its tables and appended its section to the results file.
 */
final class BenchmarkToolTest {
    @TempDir
    static Path dir;
    private static Target target;

    @BeforeAll
    static void startTarget() {
        target = Target.open(options("connect").target());
    }

    @AfterAll
    static void stopTarget() {
        if (target != null) {
            target.close();
        }
    }

    @Test
    void connectStormWithWarmup() throws IOException {
        assertClean(run("connect", "--clients", "20", "--concurrency", "5", "--warmup", "10", "--warmup-s", "1"));
    }

    @Test
    void fanoutThroughEveryPath() throws IOException {
        ScenarioResult result = run("fanout", "--clients", "20", "--messages", "3", "--interval-ms", "20",
                "--paths", "redis,http,action");
        assertClean(result);
        List<List<String>> rows = result.tables().getFirst().rows();
        assertEquals(3, rows.size(), "one row per publish path");
        assertEquals(List.of(true, true, true), rows.stream()
                        .map(row -> row.get(9).matches("[0-9.,]+ / [0-9.,]+")).toList(),
                "each path's broadcasts timed to their last frame: " + rows);
        assertEquals(List.of(true, true, true), rows.stream().map(row -> row.get(16).matches("[0-9.,]+")).toList(),
                "the generator's own GC pauses during each path's run: " + rows);
    }

    @Test
    void memoryAtTwoLevels() throws IOException {
        ScenarioResult result = run("memory", "--levels", "0,20", "--settle-s", "0");
        assertClean(result);
        assertEquals(2, result.tables().getFirst().rows().size(), "one row per level");
    }

    @Test
    void rpcAtTwoRates() throws IOException {
        ScenarioResult result = run("rpc", "--clients", "10", "--rates", "50,100", "--duration-s", "1");
        assertClean(result);
        assertEquals(2, result.tables().getFirst().rows().size(), "one row per rate");
    }

    @Test
    void grpcClientAloneWithTwoVariantsAlternated() throws IOException {
        ScenarioResult result = run("grpc", "--rates", "50,100", "--duration-s", "1", "--warmup-s", "1",
                "--variants", "a=|b=-Djcable.unused=1", "--rounds", "2");
        assertClean(result);
        List<List<String>> runs = result.tables().getFirst().rows();
        assertEquals(List.of("a", "a", "b", "b", "a", "a", "b", "b"), runs.stream().map(List::getFirst).toList(),
                "each variant through both rates, alternated, twice");
        assertEquals(4, result.tables().get(1).rows().size(), "one median row per variant and rate");
        String results = Files.readString(dir.resolve("results.md"));
        String section = results.substring(results.lastIndexOf("## grpc · "));
        assertTrue(section.contains("- client: GrpcClientMain"), section);
        assertFalse(section.contains("- subscriptions:"), "no WebSocket clients, no subscriptions: " + section);
    }

    @Test
    void slowConsumers() throws IOException {
        ScenarioResult result = run("slow", "--clients", "20", "--slow-percent", "10", "--duration-s", "1",
                "--flood-bytes", "1024");
        assertClean(result);
        assertEquals(2, result.tables().getFirst().rows().size(), "one row per phase");
    }

    @Test
    void soakChurnsWithoutLossAndOneDisconnectPerConnect() throws IOException {
        ScenarioResult result = run("soak", "--clients", "20", "--duration-s", "3", "--warmup-s", "1",
                "--churn-per-s", "10", "--interval-ms", "50", "--settle-s", "0");
        assertClean(result);
        assertEquals(2, result.tables().getFirst().rows().size(), "after warm-up, after the soak");
        for (String target : List.of("0 lost broadcasts to connected clients", "exactly one Disconnect per Connect")) {
            Check check = result.checks().stream().filter(each -> each.target().equals(target)).findFirst()
                    .orElseThrow();
            assertEquals("PASS", check.verdict(), check::toString);
        }
    }

    @Test
    void standaloneStormAgainstTheRpcStorm() throws IOException {
        ScenarioResult result = run("standalone", "--clients", "20", "--concurrency", "5", "--warmup", "10");
        assertClean(result);
        Table table = result.tables().getFirst();
        assertEquals(2, table.rows().size(), "one row per storm");
        assertEquals("PASS", result.checks().get(1).verdict(), "no RPC call in the standalone storm: " + table.rows());
    }

    @Test
    void severalNodesAgainstOneAndTheRedisxRate() throws IOException {
        ScenarioResult result = run("nodes", "--clients", "30", "--messages", "2", "--interval-ms", "20");
        assertClean(result);
        assertEquals(3, result.tables().getFirst().rows().size(), "one node by HTTP and by Redis, three nodes");
    }

    @Test
    void brokerMemoryAgainstNoneWithExtendedSubscribers() throws IOException {
        ScenarioResult result = run("broker", "--clients", "20", "--messages", "5", "--interval-ms", "20");
        assertClean(result);
        List<List<String>> rows = result.tables().getFirst().rows();
        assertEquals(List.of("memory", "none"), rows.stream().map(List::getFirst).toList(), "one row per broker");
    }

    @Test
    void restoreStormOnAnotherNodeAgainstTheSameStormWithoutRestore() throws IOException {
        ScenarioResult result = run("restore", "--clients", "20", "--concurrency", "5", "--warmup", "5", "--warmup-s", "1");
        assertClean(result);
        assertEquals(3, result.tables().getFirst().rows().size(), "one row per storm");
        for (Check delivery : result.checks().subList(0, 2)) {
            assertEquals("PASS", delivery.verdict(), delivery::toString);
        }
    }

    @Test
    void externalServerByUrl() throws IOException {
        BenchOptions options = options("rpc", "--clients", "5", "--rates", "20", "--duration-s", "1",
                "--url", target.cableUrl().toString(), "--server-pid", Long.toString(target.server().pid()));
        try (Target external = Target.open(options.target())) {
            ScenarioResult result = Bench.execute(options, external);
            assertClean(result);
            assertTrue(Files.readString(options.out()).contains("server: external, " + target.cableUrl()));
        }
    }

    @Test
    void compareWithASecondJcableByUrl() throws IOException {
        try (Target second = Target.open(options("connect").target())) {
            ScenarioResult result = run("compare", "--clients", "20", "--messages", "2", "--interval-ms", "20",
                    "--settle-s", "0", "--rates", "20", "--duration-s", "1", "--url", second.cableUrl().toString(),
                    "--server-pid", Long.toString(second.server().pid()),
                    "--redis-url", second.redisUrl().toString(), "--rounds", "2");
            assertCompared(result, "other (" + second.cableUrl() + ")");
            List<List<String>> rounds = result.tables().get(2).rows();
            assertEquals(List.of("1", "2"), rounds.stream().map(List::getFirst).toList(), "one row per round");
            assertTrue(result.checks().stream().anyMatch(check -> check.target().startsWith(
                    "fan-out p95 ≤ the other's, median of 2 alternated rounds")), "judged over the rounds");
        }
    }

    /** Rows for jcable, the other server and the ratios, every client subscribed to both and no frame lost. */
    private static void assertCompared(ScenarioResult result, String other) {
        assertClean(result);
        List<List<String>> rows = result.tables().getFirst().rows();
        assertEquals(List.of("jcable", other, "ratio jcable / other"), rows.stream().map(List::getFirst).toList());
        assertEquals(List.of("20", "20"), rows.subList(0, 2).stream().map(row -> row.get(2)).toList(),
                "subscribed on both");
        List<List<String>> performs = result.tables().get(1).rows();
        assertEquals(List.of("jcable", other, "ratio jcable / other"), performs.stream().map(List::getFirst).toList(),
                "one perform step per server at the one rate, and its ratios");
        assertEquals(List.of("0", "0"), performs.subList(0, 2).stream().map(row -> row.get(3)).toList(),
                "no perform lost");
    }

    @Test
    void badOptionsAreRefused() {
        assertRefused("unknown option --nope", "fanout", "--nope", "1");
        assertRefused("--clients must be in [1, ", "fanout", "--clients", "0");
        assertRefused("unknown scenario 'teleport'", "teleport");
        assertRefused("broker starts jcable twice", "broker", "--url", "ws://127.0.0.1:1/cable");
        assertRefused("--variants: not name=flags", "grpc", "--variants", "a=|b");
        assertRefused("--war: only jetty", "memory", "--war", "tomcat");
        assertRefused("--war deploys the tool's one own target", "memory", "--war", "jetty", "--url",
                "ws://127.0.0.1:1/cable");
    }

    /** --war takes README's flags from .mvn/jvm.config, where every Maven JVM takes them too. */
    @Test
    void warTargetRunsWithTheFlagsOfMavenJvmConfig() throws IOException {
        String flags = Files.readString(Path.of(".mvn", "jvm.config")).trim();
        String serverJvm = options("memory", "--war", "jetty").target().serverJvm();
        assertEquals(WarDeployment.recommendedJvmFlags(), serverJvm);
        assertTrue(serverJvm.startsWith(flags), serverJvm);
        assertTrue(options("memory", "--war", "jetty").target().war());
        assertEquals("-Xmx64m", options("memory", "--war", "jetty", "--server-jvm", "-Xmx64m").target().serverJvm());
    }

    /** Each refusal for its own reason: the message names the bad option. */
    private static void assertRefused(String messageStart, String... args) {
        IllegalArgumentException refused = assertThrows(IllegalArgumentException.class,
                () -> BenchOptions.parse(List.of(args), "x", Map.of()));
        assertTrue(refused.getMessage().startsWith(messageStart), refused.getMessage());
    }

    private static ScenarioResult run(String... args) throws IOException {
        BenchOptions options = options(args);
        ScenarioResult result = Bench.execute(options, target);
        assertTrue(Files.readString(options.out()).contains("## " + args[0] + " · "), "section appended");
        return result;
    }

    private static BenchOptions options(String... args) {
        List<String> all = new ArrayList<>(List.of(args));
        if (!all.contains("--warmup")) {
            all.addAll(List.of("--warmup", "0"));
        }
        all.addAll(List.of("--timeout-s", "10", "--app-latency-ms", "1", "--server-cpus", "none",
                "--out", dir.resolve("results.md").toString()));
        // None of the shell's ANYCABLE_* variables: the test runs the same whatever it exports.
        return BenchOptions.parse(all, "test " + String.join(" ", args), Map.of());
    }

    private static void assertClean(ScenarioResult result) {
        assertEquals(0, result.failures(), () -> "failures: " + result.notes());
        assertEquals(0, result.lost(), () -> "lost: " + result.notes());
        assertTrue(result.hasFigures(), "every table has rows");
    }
}
