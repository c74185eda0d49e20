package io.jcable.bench;

import java.util.Locale;

/** The benchmark scenarios. */
enum Scenario {
    CONNECT, FANOUT, MEMORY, RPC, GRPC, SLOW, SOAK, STANDALONE, NODES, BROKER, COMPARE, RESTORE;

    String label() {
        return name().toLowerCase(Locale.ROOT);
    }

    static Scenario parse(String text) {
        for (Scenario scenario : values()) {
            if (scenario.label().equals(text)) {
                return scenario;
            }
        }
        throw new IllegalArgumentException("unknown scenario '" + text + "'");
    }
}
