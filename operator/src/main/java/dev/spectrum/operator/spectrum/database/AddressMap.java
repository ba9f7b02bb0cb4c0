package dev.spectrum.operator.spectrum.database;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The setting {@code spectrum.operator.address-map}: in-cluster database addresses mapped to
 * reachable ones, for an operator running outside the cluster (kubectl port-forward) and for tests.
 * Entries {@code host:port=host:port} separated by commas; a target may add {@code /database} to
 * use another database name there (tests only: one shared server stands in for many).
 */
public final class AddressMap {

    public record Target(String host, int port, String database) {
    }

    private final Map<String, Target> entries;

    private AddressMap(Map<String, Target> entries) {
        this.entries = entries;
    }

    public static AddressMap parse(Optional<String> setting) {
        Map<String, Target> entries = new LinkedHashMap<>();
        for (String entry : setting.orElse("").split(",")) {
            if (entry.isBlank()) {
                continue;
            }
            String[] sides = entry.trim().split("=", 2);
            if (sides.length != 2) {
                throw new IllegalArgumentException("spectrum.operator.address-map: '" + entry + "' is not host:port=host:port");
            }
            String to = sides[1].trim();
            String database = null;
            int slash = to.indexOf('/');
            if (slash >= 0) {
                database = to.substring(slash + 1);
                to = to.substring(0, slash);
            }
            int colon = to.lastIndexOf(':');
            if (colon < 0) {
                throw new IllegalArgumentException("spectrum.operator.address-map: '" + entry + "' has no port after '='");
            }
            entries.put(sides[0].trim(), new Target(to.substring(0, colon), Integer.parseInt(to.substring(colon + 1)), database));
        }
        return new AddressMap(entries);
    }

    /** Where to connect for host:port/database (the address itself when it is not mapped). */
    public Target resolve(String host, int port, String database) {
        Target mapped = entries.get(host + ":" + port);
        if (mapped == null) {
            return new Target(host, port, database);
        }
        return new Target(mapped.host(), mapped.port(), mapped.database() == null ? database : mapped.database());
    }
}
