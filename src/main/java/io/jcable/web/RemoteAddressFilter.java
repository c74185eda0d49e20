package io.jcable.web;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpFilter;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletRequestWrapper;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Enumeration;
import java.util.List;

/**
 * JSR-356 has no standard way to learn the peer address. Jetty puts it in a session user property (and gets no
 * filter); for other containers (Tomcat) this filter, running before the container's upgrade filter, passes
 * {@code getRemoteAddr()} to the handshake as a request header whose name is random per deployment, so a client
 * cannot forge it.
 */
final class RemoteAddressFilter extends HttpFilter {
    private final String headerName;

    RemoteAddressFilter(String headerName) {
        this.headerName = headerName;
    }

    @Override
    protected void doFilter(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws IOException, ServletException {
        if ("websocket".equalsIgnoreCase(request.getHeader("Upgrade"))) {
            chain.doFilter(new WithRemoteAddress(request, headerName), response);
        } else {
            chain.doFilter(request, response);
        }
    }

    private static final class WithRemoteAddress extends HttpServletRequestWrapper {
        private final String headerName;

        WithRemoteAddress(HttpServletRequest request, String headerName) {
            super(request);
            this.headerName = headerName;
        }

        @Override
        public String getHeader(String name) {
            return headerName.equalsIgnoreCase(name) ? getRemoteAddr() : super.getHeader(name);
        }

        @Override
        public Enumeration<String> getHeaders(String name) {
            return headerName.equalsIgnoreCase(name)
                    ? Collections.enumeration(List.of(getRemoteAddr())) : super.getHeaders(name);
        }

        @Override
        public Enumeration<String> getHeaderNames() {
            List<String> names = new ArrayList<>(Collections.list(super.getHeaderNames()));
            names.removeIf(headerName::equalsIgnoreCase);
            names.add(headerName);
            return Collections.enumeration(names);
        }
    }
}
