package io.jcable.bench;

import java.util.ArrayList;
import java.util.List;

/**
 * What one scenario measured.
 *
 * @param failures clients that did not connect and subscribe
 * @param lost     messages or replies that never arrived
 * @param notes    free-text observations (failure reasons, pinning, caveats)
 */
record ScenarioResult(String scenario, List<Table> tables, List<Check> checks, long failures, long lost,
                      List<String> notes) {
    ScenarioResult {
        tables = List.copyOf(tables);
        checks = List.copyOf(checks);
        notes = List.copyOf(notes);
    }

    /** The same result with one more note in front. */
    ScenarioResult withNote(String note) {
        List<String> more = new ArrayList<>(notes.size() + 1);
        more.add(note);
        more.addAll(notes);
        return new ScenarioResult(scenario, tables, checks, failures, lost, more);
    }

    /** True when every table has at least one row. */
    boolean hasFigures() {
        return !tables.isEmpty() && tables.stream().allMatch(table -> !table.rows().isEmpty());
    }
}
