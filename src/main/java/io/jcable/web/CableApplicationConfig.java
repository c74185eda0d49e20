package io.jcable.web;

import jakarta.websocket.Endpoint;
import jakarta.websocket.server.ServerApplicationConfig;
import jakarta.websocket.server.ServerEndpointConfig;
import java.util.Set;

/**
 * Tells a scanning container (Tomcat, Jetty with annotations) to deploy nothing by itself: {@link CableEndpoint}
 * needs its configured paths and a configurator carrying its dependencies, which only the bootstrap has.
 */
public final class CableApplicationConfig implements ServerApplicationConfig {

    @Override
    public Set<ServerEndpointConfig> getEndpointConfigs(Set<Class<? extends Endpoint>> scanned) {
        return Set.of();
    }

    @Override
    public Set<Class<?>> getAnnotatedEndpointClasses(Set<Class<?>> scanned) {
        return Set.of();
    }
}
