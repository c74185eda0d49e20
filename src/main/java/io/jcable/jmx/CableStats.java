package io.jcable.jmx;

import io.jcable.metrics.Metrics;
import java.lang.management.ManagementFactory;
import java.util.Map;
import javax.management.JMException;
import javax.management.MBeanServer;
import javax.management.ObjectName;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The MXBean in the platform MBean server, registered at start and unregistered on undeploy (a bean left
 * behind would keep the web app's class loader).
 */
public final class CableStats implements CableStatsMXBean {
    private static final Logger LOG = LoggerFactory.getLogger(CableStats.class);

    private final Metrics metrics;
    private final Operations operations;
    private final ObjectName name;

    public CableStats(Metrics metrics, Operations operations, String contextPath) {
        this.metrics = metrics;
        this.operations = operations;
        this.name = objectName(contextPath);
    }

    /** {@code jcable:type=Stats,context="<path>"}, the root context as {@code "/"}. */
    public static ObjectName objectName(String contextPath) {
        try {
            return new ObjectName("jcable:type=Stats,context="
                    + ObjectName.quote(contextPath.isEmpty() ? "/" : contextPath));
        } catch (JMException e) {
            throw new IllegalArgumentException("Bad JMX name for context " + contextPath, e);
        }
    }

    @Override
    public Map<String, Double> getMetrics() {
        return metrics.samples();
    }

    @Override
    public long getClients() {
        return metrics.value("clients_num");
    }

    @Override
    public int disconnect(String identifiers, boolean reconnect) {
        if (identifiers == null || identifiers.isEmpty()) {
            throw new IllegalArgumentException("identifiers are empty");
        }
        int closed = operations.disconnect(identifiers, reconnect);
        LOG.info("JMX disconnect closed {} sessions", closed);
        return closed;
    }

    @Override
    public void broadcast(String stream, String data) {
        if (stream == null || stream.isEmpty() || data == null) {
            throw new IllegalArgumentException("a broadcast needs a stream and data");
        }
        operations.broadcast(stream, data);
        LOG.info("JMX broadcast published");
    }

    @Override
    public void drain() {
        LOG.info("JMX drain: notifying every client and refusing new ones");
        operations.drain();
    }

    public void register() {
        MBeanServer server = ManagementFactory.getPlatformMBeanServer();
        try {
            if (server.isRegistered(name)) {
                server.unregisterMBean(name);
            }
            server.registerMBean(this, name);
        } catch (JMException e) {
            LOG.warn("JMX registration of {} failed: {}", name, e.toString());
        }
    }

    public void unregister() {
        try {
            ManagementFactory.getPlatformMBeanServer().unregisterMBean(name);
        } catch (JMException e) {
            LOG.debug("JMX unregistration of {} failed: {}", name, e.toString());
        }
    }
}
