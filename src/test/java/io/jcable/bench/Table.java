package io.jcable.bench;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/** A titled table of figures, rendered as Markdown (readable on the console too). */
record Table(String title, List<String> headers, List<List<String>> rows) {
    Table {
        headers = List.copyOf(headers);
        rows = rows.stream().map(List::copyOf).toList();
    }

    /** An empty table; add rows with {@link #withRow}. */
    static Table of(String title, String... headers) {
        return new Table(title, List.of(headers), List.of());
    }

    Table withRow(Object... cells) {
        if (cells.length != headers.size()) {
            throw new IllegalArgumentException(title + ": " + cells.length + " cells for " + headers.size()
                    + " columns");
        }
        List<List<String>> more = new ArrayList<>(rows);
        more.add(Arrays.stream(cells).map(Table::cell).toList());
        return new Table(title, headers, more);
    }

    String markdown() {
        StringBuilder out = new StringBuilder();
        out.append("### ").append(title).append("\n\n");
        line(out, headers);
        line(out, headers.stream().map(header -> "---").toList());
        rows.forEach(row -> line(out, row));
        return out.append('\n').toString();
    }

    /** Formats a figure: integers with thousands separators, decimals with fewer places as they grow, NaN as n/a. */
    static String cell(Object value) {
        return switch (value) {
            case Integer i -> String.format(Locale.ROOT, "%,d", i);
            case Long l -> String.format(Locale.ROOT, "%,d", l);
            case Double d when d.isNaN() -> "n/a";
            case Double d when Math.abs(d) >= 100 -> String.format(Locale.ROOT, "%,.0f", d);
            case Double d when Math.abs(d) >= 10 -> String.format(Locale.ROOT, "%.1f", d);
            case Double d -> String.format(Locale.ROOT, "%.2f", d);
            default -> String.valueOf(value);
        };
    }

    private static void line(StringBuilder out, List<String> cells) {
        out.append("| ").append(String.join(" | ", cells)).append(" |\n");
    }
}
