package io.jcable.bench;

import java.util.Arrays;

/**
 * One target from the performance issue, judged against a measured figure.
 *
 * @param verdict PASS, MISS, INFO when there is no numeric target, or n/a when this run cannot tell
 * @param scale   empty when measured at the target's own scale, else what differed
 *                (e.g. "2,000 subscribers, target at 10,000")
 */
record Check(String target, String measured, String verdict, String scale) {
    static Check judged(String target, String measured, boolean met, String scale) {
        return new Check(target, measured, met ? "PASS" : "MISS", scale);
    }

    static Check info(String what, String measured) {
        return new Check(what, measured, "INFO", "");
    }

    static Check notMeasured(String target, String why) {
        return new Check(target, why, "n/a", "");
    }

    /** Empty when {@code actual} equals {@code atTarget}, else a note naming both. */
    static String scale(String what, long actual, long atTarget) {
        return actual == atTarget ? "" : Table.cell(actual) + " " + what + ", target at " + Table.cell(atTarget);
    }

    /** The scale note about the fake app's latency, for targets defined at 1 ms. */
    static String appLatency(TargetOptions target) {
        return target.selfHosted() ? scale("ms app latency", target.appLatency().toMillis(), 1) : "external app";
    }

    /** The non-empty notes of {@link #scale}, joined. */
    static String scales(String... notes) {
        return String.join("; ", Arrays.stream(notes).filter(note -> !note.isEmpty()).toList());
    }
}
