package io.jcable.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalDouble;
import java.util.OptionalLong;
import java.util.concurrent.TimeUnit;

/**
 * Reads another process's CPU time and memory from {@code /proc}, and its heap through the JDK's {@code jcmd}
 * and {@code jstat} when it is a JVM.
 */
record ProcessProbe(long pid) {
    private static final long CLOCK_TICKS = clockTicks();
    private static final Path JDK_BIN = Path.of(System.getProperty("java.home"), "bin");
    private static final long TOOL_TIMEOUT_SECONDS = 120;

    /** This process (the load generator). */
    static ProcessProbe self() {
        return new ProcessProbe(ProcessHandle.current().pid());
    }

    /** User + system CPU seconds used so far (10 ms resolution). */
    double cpuSeconds() {
        String[] fields = statFields();
        return (Long.parseLong(fields[11]) + Long.parseLong(fields[12])) / (double) CLOCK_TICKS;
    }

    /**
     * User-space CPU seconds used so far: the process's own code (the JVM, its compiled code, the GC). The rest
     * of {@link #cpuSeconds()} is the kernel working for it, on loopback including the receiving side of TCP.
     */
    double userCpuSeconds() {
        return Long.parseLong(statFields()[11]) / (double) CLOCK_TICKS;
    }

    /** Time the JVM spent in garbage collection so far ({@code jstat -gc} GCT); empty when not a reachable JVM. */
    OptionalDouble gcSeconds() {
        Map<String, Double> gc = jstatGc();
        return gc.containsKey("GCT") ? OptionalDouble.of(gc.get("GCT")) : OptionalDouble.empty();
    }

    /** The fields of {@code /proc/<pid>/stat} after the command name (which may contain spaces). */
    private String[] statFields() {
        String stat = read("stat");
        return stat.substring(stat.lastIndexOf(')') + 2).split(" ");
    }

    /** Resident set size in KiB. */
    long rssKiB() {
        return Long.parseLong(status("VmRSS").replace("kB", "").trim());
    }

    /** The process's OS threads ({@code Threads}; a JVM's virtual threads are not among them). */
    long threads() {
        return Long.parseLong(status("Threads"));
    }

    /** The CPUs the process may run on ({@code Cpus_allowed_list}). */
    String cpus() {
        return status("Cpus_allowed_list");
    }

    /** Open file descriptors. */
    long openFiles() {
        try (var fds = Files.list(Path.of("/proc", Long.toString(pid), "fd"))) {
            return fds.count();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Live heap in KiB: the total of a class histogram ({@code jcmd GC.class_histogram}, which runs a full GC
     * first) without the filler arrays that stand for dead space a mark-compact chose not to move (Serial's
     * {@code MarkSweepDeadRatio} leaves up to 5% of the old generation so); empty when the process is not a JVM the
     * tools can attach to.
     */
    OptionalLong liveHeapKiB() {
        String histogram = run(JDK_BIN.resolve("jcmd").toString(), Long.toString(pid), "GC.class_histogram");
        if (histogram == null) {
            return OptionalLong.empty();
        }
        long bytes = 0;
        for (String line : histogram.split("\n")) {
            String[] columns = line.trim().split("\\s+");
            if (columns.length >= 4 && columns[0].endsWith(":") && !columns[3].contains("FillerElement")) {
                bytes += Long.parseLong(columns[2]);
            }
        }
        return OptionalLong.of(bytes / 1024);
    }

    /** The columns of {@code jstat -gc} (KiB, counts, seconds) by name; empty when the tool cannot attach. */
    private Map<String, Double> jstatGc() {
        String gc = run(JDK_BIN.resolve("jstat").toString(), "-gc", Long.toString(pid));
        Map<String, Double> columns = new HashMap<>();
        if (gc != null) {
            String[] lines = gc.strip().split("\n");
            String[] names = lines[0].trim().split("\\s+");
            String[] values = lines[lines.length - 1].trim().split("\\s+");
            for (int i = 0; i < Math.min(names.length, values.length); i++) {
                if (!values[i].equals("-")) {
                    columns.put(names[i], Double.parseDouble(values[i]));
                }
            }
        }
        return columns;
    }

    /** The JVM flags of the process ({@code jcmd VM.command_line}), or "n/a" when it is not a reachable JVM. */
    String jvmFlags() {
        String commandLine = run(JDK_BIN.resolve("jcmd").toString(), Long.toString(pid), "VM.command_line");
        if (commandLine != null) {
            for (String line : commandLine.split("\n")) {
                if (line.startsWith("jvm_args:")) {
                    return line.substring("jvm_args:".length()).trim();
                }
            }
        }
        return "n/a";
    }

    private String status(String field) {
        for (String line : read("status").split("\n")) {
            if (line.startsWith(field + ":")) {
                return line.substring(field.length() + 1).trim();
            }
        }
        throw new IllegalStateException("no " + field + " in /proc/" + pid + "/status");
    }

    private String read(String file) {
        try {
            return Files.readString(Path.of("/proc", Long.toString(pid), file), StandardCharsets.US_ASCII);
        } catch (IOException e) {
            throw new UncheckedIOException("process " + pid + " is gone or unreadable", e);
        }
    }

    /** The output of a short tool run, or null when it fails or does not finish within the tool timeout. */
    private static String run(String... command) {
        Path output = null;
        try {
            output = Files.createTempFile("jcable-bench-", ".out");
            Process process = new ProcessBuilder(command).redirectErrorStream(true)
                    .redirectOutput(output.toFile()).start();
            if (!process.waitFor(TOOL_TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                return null;
            }
            return process.exitValue() == 0 ? Files.readString(output) : null;
        } catch (IOException e) {
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while running " + command[0], e);
        } finally {
            if (output != null) {
                output.toFile().delete();
            }
        }
    }

    private static long clockTicks() {
        String ticks = run("getconf", "CLK_TCK");
        return ticks == null ? 100 : Long.parseLong(ticks.trim());
    }
}
