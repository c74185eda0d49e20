package io.jcable.bench;

import java.util.Arrays;

/** The median of figures measured over alternated rounds (grpc's variants, compare's servers). */
final class Median {
    private Median() {
    }

    /** The middle value, the mean of the middle two for an even count; NaN for none. */
    static double of(double[] values) {
        if (values.length == 0) {
            return Double.NaN;
        }
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        int middle = sorted.length / 2;
        return sorted.length % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
    }
}
