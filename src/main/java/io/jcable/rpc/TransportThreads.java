package io.jcable.rpc;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * The threads a controller gives its transport (each controller owns and stops them: a library's shared threads
 * would outlive an undeploy). On JDK 24+ they are virtual threads, like the sessions calling them: a call's
 * hand-offs then switch continuations on the carrier instead of OS threads, which costs less server CPU per call
 * (see BENCHMARKS.md). Before JDK 24 a virtual thread blocked inside {@code synchronized}, as parts of the OkHttp
 * stack and of the JDK's HTTP client may be, pins its carrier, so they stay platform threads.
 */
final class TransportThreads {
    private TransportThreads() {
    }

    static ExecutorService create(String namePrefix) {
        return Runtime.version().feature() >= 24
                ? Executors.newThreadPerTaskExecutor(Thread.ofVirtual().name(namePrefix, 0).factory())
                : Executors.newCachedThreadPool(Thread.ofPlatform().daemon().name(namePrefix, 0).factory());
    }
}
