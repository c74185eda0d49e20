package io.jcable.config;

import java.time.Instant;

/** Unit of the timestamp in ping frames ({@code ANYCABLE_PING_TIMESTAMP_PRECISION}, {@code ?ptp=}). */
public enum PingPrecision {
    S, MS, NS;

    /** The timestamp of {@code now} in this unit. */
    public long timestamp(Instant now) {
        return switch (this) {
            case S -> now.getEpochSecond();
            case MS -> now.toEpochMilli();
            case NS -> now.getEpochSecond() * 1_000_000_000L + now.getNano();
        };
    }

    /** Parses {@code s}, {@code ms} or {@code ns}; null for anything else. */
    public static PingPrecision parse(String value) {
        if (value == null) {
            return null;
        }
        return switch (value) {
            case "s" -> S;
            case "ms" -> MS;
            case "ns" -> NS;
            default -> null;
        };
    }
}
