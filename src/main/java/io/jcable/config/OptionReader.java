package io.jcable.config;

import java.time.Duration;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/** Typed access to options, turning a bad value into a {@link ConfigException} naming the option. */
final class OptionReader {
    private static final Pattern LABEL_NAME = Pattern.compile("[a-zA-Z_][a-zA-Z0-9_]*");

    private final ConfigSource source;

    OptionReader(ConfigSource source) {
        this.source = source;
    }

    String string(String name, String defaultValue) {
        String value = source.anycable(name);
        return value == null ? defaultValue : value;
    }

    /** {@code name}, else its legacy alias (both read, so neither is reported as unsupported), else the default. */
    String string(String name, String legacyName, String defaultValue) {
        String legacy = source.anycable(legacyName);
        return string(name, legacy == null ? defaultValue : legacy);
    }

    /** Whether any source sets the option (to anything, {@code none} included). */
    boolean isSet(String name) {
        return source.anycable(name) != null;
    }

    /** A secret or key: {@code none} means unset. */
    String secret(String name) {
        String value = source.anycable(name);
        return value == null || value.equalsIgnoreCase("none") ? null : value;
    }

    /** A secret set under {@code name}, else under its legacy alias. */
    String secret(String name, String legacyName) {
        String legacy = secret(legacyName);
        String value = secret(name);
        return value == null ? legacy : value;
    }

    int integer(String name, int defaultValue, int min) {
        return parseInt(envName(name), source.anycable(name), defaultValue, min);
    }

    int jcableInteger(String name, int defaultValue, int min) {
        return parseInt(jcableEnvName(name), source.jcable(name), defaultValue, min);
    }

    private static int parseInt(String option, String value, int defaultValue, int min) {
        if (value == null) {
            return defaultValue;
        }
        try {
            int parsed = Integer.parseInt(value);
            if (parsed < min) {
                throw new ConfigException(option + "=" + value + ": must be at least " + min);
            }
            return parsed;
        } catch (NumberFormatException e) {
            throw new ConfigException(option + "=" + value + ": must be an integer");
        }
    }

    Duration seconds(String name, int defaultSeconds) {
        return Duration.ofSeconds(integer(name, defaultSeconds, 0));
    }

    Duration millis(String name, int defaultMillis) {
        return Duration.ofMillis(integer(name, defaultMillis, 0));
    }

    boolean bool(String name, boolean defaultValue) {
        return parseBool(envName(name), source.anycable(name), defaultValue);
    }

    /** {@code name}, else its legacy alias, else the default. */
    boolean bool(String name, String legacyName, boolean defaultValue) {
        boolean legacy = bool(legacyName, defaultValue);
        return source.anycable(name) == null ? legacy : bool(name, defaultValue);
    }

    boolean jcableBool(String name, boolean defaultValue) {
        return parseBool(jcableEnvName(name), source.jcable(name), defaultValue);
    }

    /** A comma list, items trimmed; unset → the default, set to an empty value → an empty list. */
    List<String> list(String name, String defaultValue) {
        String value = source.anycableKeepingEmpty(name);
        return Arrays.stream((value == null ? defaultValue : value).split(","))
                .map(String::trim).filter(s -> !s.isEmpty()).toList();
    }

    /** A path under the context path (null when unset and the default is null); it must start with {@code /}. */
    String path(String name, String defaultValue) {
        String value = string(name, defaultValue);
        if (value != null) {
            requirePath(name, value);
        }
        return value;
    }

    /** A non-empty comma list of paths, each starting with {@code /}. */
    List<String> paths(String name, String defaultValue) {
        List<String> values = list(name, defaultValue);
        if (values.isEmpty()) {
            throw invalid(name, "", "must name at least one path");
        }
        values.forEach(value -> requirePath(name, value));
        return values;
    }

    private static void requirePath(String name, String value) {
        if (!value.startsWith("/")) {
            throw invalid(name, value, "must be a path starting with /");
        }
    }

    /**
     * Prometheus constant labels {@code name:value,name2:value2} (anycable-go's format for metrics tags); names are
     * {@code [a-zA-Z_][a-zA-Z0-9_]*}, not starting with {@code __}, each at most once and none of {@code reserved}.
     */
    Map<String, String> labels(String name, Set<String> reserved) {
        Map<String, String> labels = new LinkedHashMap<>();
        for (String item : list(name, "")) {
            int colon = item.indexOf(':');
            String label = colon < 0 ? "" : item.substring(0, colon).trim();
            if (!LABEL_NAME.matcher(label).matches() || label.startsWith("__")) {
                throw invalid(name, item, "each tag must be name:value with a name of letters, digits and _ "
                        + "(not starting with a digit or __)");
            }
            if (reserved.contains(label) || labels.put(label, item.substring(colon + 1).trim()) != null) {
                throw invalid(name, item, "tag " + label + " is given twice or used by jcable's metrics");
            }
        }
        return Map.copyOf(labels);
    }

    <E extends Enum<E>> E choice(String name, Class<E> type, E defaultValue) {
        String value = source.anycable(name);
        if (value == null) {
            return defaultValue;
        }
        for (E constant : type.getEnumConstants()) {
            if (constant.name().equalsIgnoreCase(value)) {
                return constant;
            }
        }
        throw invalid(name, value, "must be one of " + Arrays.toString(type.getEnumConstants()).toLowerCase(Locale.ROOT));
    }

    private static boolean parseBool(String option, String value, boolean defaultValue) {
        if (value == null) {
            return defaultValue;
        }
        return switch (value.toLowerCase(Locale.ROOT)) {
            case "true", "1" -> true;
            case "false", "0" -> false;
            default -> throw new ConfigException(option + "=" + value + ": must be true or false");
        };
    }

    static ConfigException invalid(String name, String value, String why) {
        return new ConfigException(envName(name) + "=" + value + ": " + why);
    }

    static String envName(String name) {
        return "ANYCABLE_" + name.toUpperCase(Locale.ROOT);
    }

    private static String jcableEnvName(String name) {
        return "JCABLE_" + name.toUpperCase(Locale.ROOT);
    }
}
