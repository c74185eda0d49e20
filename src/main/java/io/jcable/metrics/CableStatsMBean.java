package io.jcable.metrics;

import java.util.Map;

/** JMX view of the metrics: {@code jcable:type=Stats,context=<path>}. */
public interface CableStatsMBean {

    /** Every counter and gauge by its anycable-go name. */
    Map<String, Long> getMetrics();

    long getClients();
}
