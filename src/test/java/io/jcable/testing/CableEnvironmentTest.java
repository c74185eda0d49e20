package io.jcable.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The variables and properties the harness keeps away from jcable, and the environment of a test's child process. */
final class CableEnvironmentTest {
    /** What a developer's shell may export: each would change how a jcable (or a JS client script) behaves. */
    private static final Map<String, String> EXPORTED = Map.of("ANYCABLE_RPC_HOST", "127.0.0.1:1",
            "ANYCABLE_PING_INTERVAL", "1", "ANYCABLE_BROADCAST_ADAPTER", "http", "REDIS_URL", "redis://127.0.0.1:1",
            "JCABLE_SID_FROM_REQUEST_ID", "true", "ANYCABLE_CLIENT_TIMEOUT_MS", "1");

    @Test
    void aChildProcessGetsOnlyTheTestsSettingsOfTheVariablesJcableReads() throws Exception {
        ProcessBuilder builder = new ProcessBuilder("env", "-0").redirectErrorStream(true);
        // ProcessBuilder starts from this process's environment: as if the shell had exported these.
        builder.environment().putAll(EXPORTED);
        CableEnvironment.replaceCableVariables(builder.environment(),
                Map.of("ANYCABLE_RPC_HOST", "127.0.0.1:50051", "ANYCABLE_HEADERS", "cookie"));

        Map<String, String> seen = environmentOf(builder);
        assertEquals(Map.of("ANYCABLE_RPC_HOST", "127.0.0.1:50051", "ANYCABLE_HEADERS", "cookie"),
                CableEnvironment.cableVariables(seen));
        // Everything else is inherited as usual.
        assertEquals(System.getenv("PATH"), seen.get("PATH"));
    }

    @Test
    void onlyTheNamesJcableReadsAreCableSettings() {
        for (String name : List.of("ANYCABLE_RPC_HOST", "ANYCABLE_X", "JCABLE_SID_FROM_REQUEST_ID", "REDIS_URL")) {
            assertTrue(CableEnvironment.isCableVariable(name), name);
        }
        for (String name : List.of("PATH", "ANYCABLE", "MY_ANYCABLE_X", "REDIS_URLS", "anycable_rpc_host")) {
            assertFalse(CableEnvironment.isCableVariable(name), name);
        }
        assertTrue(CableEnvironment.isCableProperty("anycable.rpc_host"));
        assertTrue(CableEnvironment.isCableProperty("jcable.sid_from_request_id"));
        assertFalse(CableEnvironment.isCableProperty("anycable_rpc_host"));
        assertFalse(CableEnvironment.isCableProperty("java.home"));

        Map<String, String> environment = new HashMap<>(EXPORTED);
        environment.put("HOME", "/home/dev");
        assertEquals(Map.of("HOME", "/home/dev"), CableEnvironment.withoutCableVariables(environment));
        assertEquals(EXPORTED, CableEnvironment.cableVariables(environment));
    }

    /** Runs the builder's {@code env -0} and parses what it prints (NUL-separated: values may hold newlines). */
    private static Map<String, String> environmentOf(ProcessBuilder builder) throws IOException, InterruptedException {
        Process process = builder.start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(process.waitFor(10, TimeUnit.SECONDS), "env did not exit");
        assertEquals(0, process.exitValue(), output);
        Map<String, String> environment = new HashMap<>();
        for (String line : output.split("\0")) {
            int eq = line.indexOf('=');
            if (eq > 0) {
                environment.put(line.substring(0, eq), line.substring(eq + 1));
            }
        }
        return environment;
    }
}
