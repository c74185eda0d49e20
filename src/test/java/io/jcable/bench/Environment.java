package io.jcable.bench;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Locale;

/** Where and when a run happened: date, machine, load, and this (the load generator's) process. */
record Environment(String date, String machine, String load, String generator) {
    static Environment capture() {
        String date = ZonedDateTime.now(ZoneOffset.UTC)
                .format(DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss 'UTC'"));
        List<String> cpuinfo = lines("/proc/cpuinfo");
        long cpus = cpuinfo.stream().filter(line -> line.startsWith("processor")).count();
        String model = cpuinfo.stream().filter(line -> line.startsWith("model name")).findFirst()
                .map(line -> line.substring(line.indexOf(':') + 1).trim()).orElse("unknown CPU");
        long memKiB = lines("/proc/meminfo").stream().filter(line -> line.startsWith("MemTotal:")).findFirst()
                .map(line -> Long.parseLong(line.replaceAll("\\D", ""))).orElse(0L);
        String machine = String.format(Locale.ROOT, "%d CPUs (%s), %.1f GiB RAM, %s %s, JDK %s", cpus, model,
                memKiB / 1024.0 / 1024.0, System.getProperty("os.name"), System.getProperty("os.version"),
                Runtime.version());
        String load = String.join(" ", List.of(lines("/proc/loadavg").getFirst().split(" ")).subList(0, 3));
        ProcessProbe self = ProcessProbe.self();
        String generator = "Jetty " + org.eclipse.jetty.util.Jetty.VERSION + " core WebSocket client, pid " + self.pid()
                + " on CPUs " + self.cpus() + ", JVM flags: "
                + String.join(" ", ManagementFactory.getRuntimeMXBean().getInputArguments());
        return new Environment(date, machine, load, generator);
    }

    private static List<String> lines(String file) {
        try {
            return Files.readAllLines(Path.of(file));
        } catch (IOException e) {
            return List.of("");
        }
    }
}
