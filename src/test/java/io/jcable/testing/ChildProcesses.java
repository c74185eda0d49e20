package io.jcable.testing;

import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * Ending the processes tests and the benchmark tool start (jcable nodes, Redis, Sentinel): asked to stop, killed
 * when they do not, and killed by a JVM shutdown hook when a run is aborted, so none is left behind.
 */
public final class ChildProcesses {
    private ChildProcesses() {
    }

    /** Registers a shutdown hook that kills {@code process}; returns it for {@link #stopReaping}. */
    public static Thread reapOnExit(Process process, String name) {
        Thread reaper = new Thread(process::destroyForcibly, name);
        Runtime.getRuntime().addShutdownHook(reaper);
        return reaper;
    }

    /** Removes a hook of {@link #reapOnExit} (its process has ended). */
    public static void stopReaping(Thread reaper) {
        try {
            Runtime.getRuntime().removeShutdownHook(reaper);
        } catch (IllegalStateException jvmExiting) {
            // the hook runs anyway
        }
    }

    /**
     * SIGTERM ({@code forcibly}: SIGKILL) and waits for the exit; after {@code grace}, SIGKILL and waits again.
     * Interrupted: SIGKILL without waiting, the interrupt kept.
     */
    public static void end(Process process, boolean forcibly, Duration grace) {
        if (forcibly) {
            process.destroyForcibly();
        } else {
            process.destroy();
        }
        try {
            if (!process.waitFor(grace.toMillis(), TimeUnit.MILLISECONDS)) {
                process.destroyForcibly().waitFor();
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }
}
