package io.jcable.testing;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * The settings a developer's shell or JVM may carry that jcable reads: {@code ANYCABLE_*}, {@code JCABLE_*} and
 * {@code REDIS_URL} variables, {@code anycable.*} and {@code jcable.*} system properties. Tests must run the same
 * whatever these hold, so the harness hides them from the jcable it runs in-process ({@link CableServer}) and
 * every process a test starts gets an environment cleaned of them, plus the test's own values.
 */
public final class CableEnvironment {
    private CableEnvironment() {
    }

    /** Whether jcable (or the JS clients' scripts) would read this environment variable. */
    public static boolean isCableVariable(String name) {
        return name.startsWith("ANYCABLE_") || name.startsWith("JCABLE_") || name.equals("REDIS_URL");
    }

    /** Whether jcable would read this system property. */
    public static boolean isCableProperty(String name) {
        return name.startsWith("anycable.") || name.startsWith("jcable.");
    }

    /** A copy of {@code environment} without the variables jcable reads. */
    public static Map<String, String> withoutCableVariables(Map<String, String> environment) {
        Map<String, String> kept = new LinkedHashMap<>(environment);
        kept.keySet().removeIf(CableEnvironment::isCableVariable);
        return kept;
    }

    /** Only the variables jcable reads, sorted by name. */
    public static Map<String, String> cableVariables(Map<String, String> environment) {
        Map<String, String> cable = new TreeMap<>(environment);
        cable.keySet().removeIf(name -> !isCableVariable(name));
        return cable;
    }

    /**
     * Makes a child process's environment (a {@link ProcessBuilder#environment()}, which starts as a copy of this
     * process's) hold none of the inherited variables jcable reads, then the given {@code settings}.
     */
    public static void replaceCableVariables(Map<String, String> childEnvironment, Map<String, String> settings) {
        childEnvironment.keySet().removeIf(CableEnvironment::isCableVariable);
        childEnvironment.putAll(settings);
    }
}
