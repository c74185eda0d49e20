package io.jcable.config;

import java.util.ArrayList;
import java.util.List;

/**
 * One {@code host:port} of a static RPC target list, {@code ANYCABLE_RPC_HOST=grpc-list://h1:p1,h2:p2}
 * (IPv6 hosts in brackets: {@code [::1]:50051}).
 */
public record RpcAddress(String host, int port) {
    public static final String LIST_PREFIX = "grpc-list://";

    /** {@code host:port} as it goes into a target or an authority. */
    @Override
    public String toString() {
        return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + port;
    }

    /** The addresses of a {@code grpc-list://} value; throws {@link ConfigException} naming {@code option}. */
    static List<RpcAddress> parseList(String option, String value) {
        String list = value.substring(LIST_PREFIX.length());
        List<RpcAddress> addresses = new ArrayList<>();
        for (String entry : list.split(",", -1)) {
            addresses.add(parse(option, value, entry.trim()));
        }
        return List.copyOf(addresses);
    }

    private static RpcAddress parse(String option, String value, String entry) {
        int colon = entry.lastIndexOf(':');
        if (colon <= 0) {
            throw OptionReader.invalid(option, value, "each grpc-list:// entry must be host:port, got '" + entry + "'");
        }
        String host = entry.substring(0, colon);
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        } else if (host.indexOf(':') >= 0) {
            throw OptionReader.invalid(option, value, "IPv6 hosts go in brackets, got '" + entry + "'");
        }
        if (host.isEmpty() || !host.chars().allMatch(c -> Character.isLetterOrDigit(c) || "-._:%".indexOf(c) >= 0)) {
            throw OptionReader.invalid(option, value, "bad host in grpc-list:// entry '" + entry + "'");
        }
        int port;
        try {
            port = Integer.parseInt(entry.substring(colon + 1));
        } catch (NumberFormatException e) {
            port = 0;
        }
        if (port < 1 || port > 65535) {
            throw OptionReader.invalid(option, value, "bad port in grpc-list:// entry '" + entry + "'");
        }
        return new RpcAddress(host, port);
    }
}
