package io.jcable.config;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;

/**
 * Looks an option up by its anycable-go name ({@code rpc_host}) with the precedence of docs/config.md §1:
 * system property {@code anycable.rpc_host} &gt; environment {@code ANYCABLE_RPC_HOST} &gt; servlet context init
 * parameter {@code anycable.rpc_host}. jcable-only options use the {@code JCABLE_} / {@code jcable.} prefix.
 */
public final class ConfigSource {
    private final Function<String, String> systemProperties;
    private final Map<String, String> environment;
    private final Function<String, String> initParameters;
    private final Set<String> consumedEnv = new TreeSet<>();

    public ConfigSource(Function<String, String> systemProperties, Map<String, String> environment,
                        Function<String, String> initParameters) {
        this.systemProperties = systemProperties;
        this.environment = environment;
        this.initParameters = initParameters;
    }

    /** The process's own system properties and environment, plus the given init parameters. */
    public static ConfigSource of(Function<String, String> initParameters) {
        return new ConfigSource(System::getProperty, System.getenv(), initParameters);
    }

    /** Raw value of an anycable option, or null when no source sets it (a blank value counts as unset). */
    public String anycable(String name) {
        return lookup("anycable", name, false);
    }

    /**
     * Raw value of an anycable option, "" when the first source that sets it sets it to a blank value, or null
     * when no source sets it: for lists, where an explicit empty value means an empty list, not the default.
     */
    public String anycableKeepingEmpty(String name) {
        return lookup("anycable", name, true);
    }

    /** Raw value of a jcable-only option, or null. */
    public String jcable(String name) {
        return lookup("jcable", name, false);
    }

    /** Raw value of a plain environment variable (e.g. {@code REDIS_URL}), or null. */
    public String env(String name) {
        consumedEnv.add(name);
        return trimmed(environment.get(name), false);
    }

    private String lookup(String prefix, String name, boolean keepEmpty) {
        String key = prefix + "." + name;
        String envName = prefix.toUpperCase(Locale.ROOT) + "_" + name.toUpperCase(Locale.ROOT);
        consumedEnv.add(envName);
        String value = trimmed(systemProperties.apply(key), keepEmpty);
        if (value == null) {
            value = trimmed(environment.get(envName), keepEmpty);
        }
        if (value == null) {
            value = trimmed(initParameters.apply(key), keepEmpty);
        }
        return value;
    }

    /** {@code ANYCABLE_*} / {@code JCABLE_*} variables set in the environment that no option read. */
    public Map<String, String> unusedEnvironment() {
        Map<String, String> unused = new LinkedHashMap<>();
        environment.forEach((name, value) -> {
            if ((name.startsWith("ANYCABLE_") || name.startsWith("JCABLE_")) && !consumedEnv.contains(name)) {
                unused.put(name, value);
            }
        });
        return unused;
    }

    /** The trimmed value; a blank one is "" when {@code keepEmpty}, else null (unset). */
    private static String trimmed(String value, boolean keepEmpty) {
        if (value == null || (value.isBlank() && !keepEmpty)) {
            return null;
        }
        return value.trim();
    }
}
