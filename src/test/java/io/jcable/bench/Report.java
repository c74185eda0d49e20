package io.jcable.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;

/** The Markdown section of one run: context, tables, targets, notes. */
final class Report {
    private Report() {
    }

    static String section(BenchOptions options, Environment environment, List<String> target, ScenarioResult result) {
        StringBuilder out = new StringBuilder();
        out.append("## ").append(result.scenario()).append(" · ").append(environment.date()).append("\n\n");
        out.append("- command: `").append(options.command()).append("`\n");
        out.append("- machine: ").append(environment.machine()).append("; load average at start ")
                .append(environment.load()).append('\n');
        target.forEach(line -> out.append("- ").append(line).append('\n'));
        if (options.scenario() == Scenario.STANDALONE) {
            out.append("- standalone clients: each its own JWT (`?jid=`, HS256, `ext` identifiers) and "
                    + "{\"channel\":\"$pubsub\",\"signed_stream_name\":…} for ").append(options.uniqueIdentifiers()
                    ? "its own stream bench_<n>" : "the stream all, shared by all").append('\n');
        }
        // grpc has no WebSocket clients, hence no subscriptions
        if (options.scenario() != Scenario.GRPC) {
            out.append("- subscriptions: ").append(options.uniqueIdentifiers()
                    ? "one identifier per client, {\"channel\":\"BenchmarkChannel\",\"id\":\"<n>\"}: "
                    + "a broadcast is one frame per client"
                    : "one identifier shared by all clients, {\"channel\":\"BenchmarkChannel\"}: "
                    + "a broadcast is one frame for all").append('\n');
        }
        out.append("- load generator: ").append(environment.generator()).append("\n\n");
        result.tables().forEach(table -> out.append(table.markdown()));
        // the comparison's targets are issue 12's, every other scenario's issue 4's
        Table checks = Table.of("targets (issue " + (options.scenario() == Scenario.COMPARE ? 12 : 4) + ")",
                "target", "measured", "result", "scale");
        for (Check check : result.checks()) {
            checks = checks.withRow(check.target(), check.measured(), check.verdict(),
                    check.scale().isEmpty() ? "as specified" : check.scale());
        }
        if (!result.checks().isEmpty()) {
            out.append(checks.markdown());
        }
        result.notes().forEach(note -> out.append("- ").append(note).append('\n'));
        return out.append('\n').toString();
    }

    static void append(Path file, String section) {
        try {
            Path parent = file.toAbsolutePath().getParent();
            Files.createDirectories(parent);
            Files.writeString(file, section, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot append to " + file, e);
        }
    }
}
