package io.jcable.pubsub;

import io.jcable.metrics.Counter;
import io.jcable.metrics.Metrics;

/** The pub/sub's counters: {@code pubsub_msg_in_total}, {@code pubsub_msg_out_total}, errors and reconnects. */
record PubSubMetrics(Counter in, Counter out, Counter errors, Counter reconnects) {
    static PubSubMetrics register(Metrics metrics, StreamSubscriptions streams) {
        metrics.gauge("pubsub_streams_num", streams::activeCount);
        return new PubSubMetrics(metrics.counter("pubsub_msg_in_total"), metrics.counter("pubsub_msg_out_total"),
                metrics.counter("pubsub_errors_total"), metrics.counter("pubsub_reconnects_total"));
    }
}
