package io.jcable.metrics;

import java.lang.management.ManagementFactory;
import java.util.Map;
import javax.management.JMException;
import javax.management.MBeanServer;
import javax.management.ObjectName;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Registers the metrics as an MBean for the container's JMX console; unregistered on undeploy. */
public final class CableStats implements CableStatsMBean {
    private static final Logger LOG = LoggerFactory.getLogger(CableStats.class);

    private final Metrics metrics;
    private final ObjectName name;

    public CableStats(Metrics metrics, String contextPath) {
        this.metrics = metrics;
        try {
            this.name = new ObjectName("jcable:type=Stats,context=" + ObjectName.quote(contextPath.isEmpty() ? "/" : contextPath));
        } catch (JMException e) {
            throw new IllegalArgumentException("Bad JMX name for context " + contextPath, e);
        }
    }

    @Override
    public Map<String, Long> getMetrics() {
        return metrics.snapshot();
    }

    @Override
    public long getClients() {
        return metrics.value("clients_num");
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
