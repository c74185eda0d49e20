package io.jcable.health;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The checks that must all pass for the server to take traffic. Each is cheap (a state read, no network call)
 * since a probe evaluates them all; one that throws counts as failing.
 */
public final class Readiness {
    private static final Logger LOG = LoggerFactory.getLogger(Readiness.class);

    /** One named check and what to report while it fails. */
    private record Check(String name, BooleanSupplier passes, String problem) {
    }

    private final List<Check> checks = new CopyOnWriteArrayList<>();

    /**
     * Adds a check, e.g. {@code add("redis", subscriber::isSubscribed, "not subscribed")}.
     *
     * @param name    what is checked, as probes report it
     * @param passes  true while ready
     * @param problem what a failing check reports
     */
    public void add(String name, BooleanSupplier passes, String problem) {
        checks.add(new Check(name, passes, problem));
    }

    /** Every check's state in the order added: {@code "ok"} or its problem. */
    public Map<String, String> evaluate() {
        Map<String, String> states = new LinkedHashMap<>();
        for (Check check : checks) {
            states.put(check.name(), passes(check) ? "ok" : check.problem());
        }
        return states;
    }

    private static boolean passes(Check check) {
        try {
            return check.passes().getAsBoolean();
        } catch (RuntimeException e) {
            LOG.warn("Readiness check {} failed: {}", check.name(), e.toString());
            return false;
        }
    }
}
