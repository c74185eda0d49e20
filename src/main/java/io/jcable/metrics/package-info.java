/**
 * Counters and gauges under anycable-go's metric names, rendered as Prometheus text (prefix
 * {@code anycable_go_}) and exposed over JMX.
 */
package io.jcable.metrics;
