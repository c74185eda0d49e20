/**
 * Counters, gauges and histograms under anycable-go's metric names (prefix {@code anycable_go_}), kept in one
 * Prometheus registry per web app with the JVM's basics, rendered in the Prometheus text format.
 */
package io.jcable.metrics;
