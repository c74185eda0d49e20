package io.jcable.bench;

import java.util.Arrays;
import java.util.List;
import java.util.function.ToDoubleFunction;

/** The median of figures measured over alternated rounds (grpc's variants, compare's servers). */
final class Median {
    private Median() {
    }

    /**
     * The median of {@code figure} over {@code items}: the middle value, the mean of the middle two for an even
     * count; NaN for none.
     */
    static <T> double of(List<T> items, ToDoubleFunction<? super T> figure) {
        double[] values = items.stream().mapToDouble(figure).toArray();
        if (values.length == 0) {
            return Double.NaN;
        }
        Arrays.sort(values);
        int middle = values.length / 2;
        return values.length % 2 == 1 ? values[middle] : (values[middle - 1] + values[middle]) / 2;
    }
}
