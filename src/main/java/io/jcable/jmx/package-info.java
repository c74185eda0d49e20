/**
 * JMX: the MXBean {@code jcable:type=Stats,context=<path>} shows jcable's metrics (the same samples as
 * Prometheus) and offers operations: disconnect by identifiers, broadcast to a stream, drain.
 */
package io.jcable.jmx;
