package dev.spectrum.definitions.apply;

import static dev.spectrum.definitions.sql.SqlText.identifier;
import static dev.spectrum.definitions.sql.SqlText.literal;

import dev.spectrum.definitions.experiment.ExperimentDefinition;
import dev.spectrum.definitions.experiment.ExperimentSql;
import dev.spectrum.definitions.funnel.FunnelDefinition;
import dev.spectrum.definitions.funnel.FunnelSql;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import javax.sql.DataSource;

/**
 * Applies definitions to a Spectrum database: each becomes a materialized view in
 * {@code analytics}, recorded in {@code warehouse.definitions}, and the combined view is
 * recreated over exactly the definitions there. A replacement is built under a temporary name
 * first and swapped in within one short transaction, so readers never find a view missing.
 * DDL runs as {@code spectrum_pipeline} (the login must be a member), which owns every view.
 * The operator and {@code ./spectrum} both use this class.
 */
public final class ViewStore {

    /** What applying did. */
    public enum Outcome { CREATED, REPLACED, UNCHANGED }

    /** What a kind of definition needs from the store: its view, unique key and combined view. */
    record Kind(String name, String uniqueKey, String combinedView, String emptyRows) {
    }

    static final Kind FUNNEL = new Kind("Funnel", "(granularity, period_start, breakdown, step)",
            "mv_conversion_funnels", "warehouse.no_funnel_rows");
    static final Kind EXPERIMENT = new Kind("Experiment", "(metric, variant)",
            "mv_experiment_results", "warehouse.no_experiment_rows");

    /** Another resource (another namespace) already owns this view in this database. */
    public static class Conflict extends RuntimeException {
        public Conflict(String message) {
            super(message);
        }
    }

    private final DataSource dataSource;
    private final String owner;

    /** A store for ./spectrum: definitions it applies have no owner. */
    public ViewStore(DataSource dataSource) {
        this(dataSource, null);
    }

    /** A store for the operator: {@code owner} is the resource's namespace/name. */
    public ViewStore(DataSource dataSource, String owner) {
        this.dataSource = dataSource;
        this.owner = owner;
    }

    /** The SQL that makes a funnel's view, as applied (its hash is the definition's identity). */
    public static String funnelSql(FunnelDefinition funnel) {
        return createSql(funnel.viewName(), FunnelSql.select(funnel));
    }

    /** The SQL that makes an experiment's view, as applied. */
    public static String experimentSql(ExperimentDefinition experiment) {
        return createSql(experiment.viewName(), ExperimentSql.select(experiment));
    }

    private static String createSql(String view, String select) {
        return "CREATE MATERIALIZED VIEW analytics." + identifier(view) + " AS\n" + select;
    }

    public static String sha256(String text) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Creates or replaces the funnel's view; nothing changes when its SQL is the same. */
    public Outcome applyFunnel(FunnelDefinition funnel, String specJson) throws SQLException {
        return apply(FUNNEL, funnel.name(), funnel.viewName(), FunnelSql.select(funnel), specJson);
    }

    /** Creates or replaces the experiment's view; nothing changes when its SQL is the same. */
    public Outcome applyExperiment(ExperimentDefinition experiment, String specJson) throws SQLException {
        return apply(EXPERIMENT, experiment.name(), experiment.viewName(), ExperimentSql.select(experiment), specJson);
    }

    public boolean deleteFunnel(String name) throws SQLException {
        return delete(FUNNEL, name);
    }

    public boolean deleteExperiment(String name) throws SQLException {
        return delete(EXPERIMENT, name);
    }

    private Outcome apply(Kind kind, String name, String view, String select, String specJson) throws SQLException {
        String sql = createSql(view, select);
        String hash = sha256(sql);
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(false);
            try (var st = c.createStatement()) {
                st.execute("SET LOCAL ROLE spectrum_pipeline");
                st.execute("SELECT pg_advisory_xact_lock(hashtext('spectrum.definitions'))"); // one change at a time
                String[] existing = applied(c, kind.name(), name);
                String applied = existing == null ? null : existing[0];
                if (existing != null && ownedByAnother(existing[1])) {
                    throw new Conflict(kind.name() + " " + name + " from " + existing[1] + " already owns analytics." + view
                            + " in this database; give this one another name");
                }
                if (hash.equals(applied)) {
                    c.rollback();
                    return Outcome.UNCHANGED;
                }
                String next = view + "__next";
                st.execute("DROP MATERIALIZED VIEW IF EXISTS analytics." + identifier(next));
                st.execute(createSql(next, select));
                st.execute("CREATE UNIQUE INDEX " + identifier(next + "_key") + " ON analytics." + identifier(next)
                        + " " + kind.uniqueKey() + " NULLS NOT DISTINCT");
                // the swap: short, all in this transaction
                st.execute("DROP VIEW analytics." + kind.combinedView());
                st.execute("DROP MATERIALIZED VIEW IF EXISTS analytics." + identifier(view));
                st.execute("ALTER MATERIALIZED VIEW analytics." + identifier(next) + " RENAME TO " + identifier(view));
                st.execute("ALTER INDEX analytics." + identifier(next + "_key") + " RENAME TO " + identifier(view + "_key"));
                try (var record = c.prepareStatement("""
                        INSERT INTO warehouse.definitions (kind, name, view_name, sql_hash, sql, spec, applied_at, owner)
                        VALUES (?, ?, ?, ?, ?, ?::jsonb, now(), ?)
                        ON CONFLICT (kind, name) DO UPDATE SET view_name = excluded.view_name, sql_hash = excluded.sql_hash,
                            sql = excluded.sql, spec = excluded.spec, applied_at = excluded.applied_at,
                            owner = coalesce(excluded.owner, definitions.owner)""")) {
                    record.setString(1, kind.name());
                    record.setString(2, name);
                    record.setString(3, "analytics." + view);
                    record.setString(4, hash);
                    record.setString(5, sql);
                    record.setString(6, specJson);
                    record.setString(7, owner);
                    record.executeUpdate();
                }
                st.execute(combinedView(c, kind));
                st.execute("INSERT INTO analytics.view_refreshes (view_name, refreshed_at) VALUES ("
                        + literal("analytics." + view) + ", clock_timestamp())");
                c.commit();
                return applied == null ? Outcome.CREATED : Outcome.REPLACED;
            } catch (SQLException | RuntimeException e) {
                c.rollback();
                throw e;
            }
        }
    }

    private boolean delete(Kind kind, String name) throws SQLException {
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(false);
            try (var st = c.createStatement()) {
                st.execute("SET LOCAL ROLE spectrum_pipeline");
                st.execute("SELECT pg_advisory_xact_lock(hashtext('spectrum.definitions'))");
                String view;
                String[] existing = applied(c, kind.name(), name);
                if (existing != null && ownedByAnother(existing[1])) {
                    c.rollback();
                    return false;   // another resource's view: not ours to drop
                }
                try (var q = c.prepareStatement("DELETE FROM warehouse.definitions WHERE kind = ? AND name = ? RETURNING view_name")) {
                    q.setString(1, kind.name());
                    q.setString(2, name);
                    try (var rs = q.executeQuery()) {
                        if (!rs.next()) {
                            c.rollback();
                            return false;
                        }
                        view = rs.getString(1).substring("analytics.".length());
                    }
                }
                st.execute("DROP VIEW analytics." + kind.combinedView());
                st.execute("DROP MATERIALIZED VIEW IF EXISTS analytics." + identifier(view));
                st.execute(combinedView(c, kind));
                c.commit();
                return true;
            } catch (SQLException | RuntimeException e) {
                c.rollback();
                throw e;
            }
        }
    }

    /** Refreshes the named definitions' views CONCURRENTLY (all when the list is empty); returns the views. */
    public List<String> refresh(List<String> names) throws SQLException {
        List<String> views = new ArrayList<>();
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(true);
            try (var q = c.prepareStatement("SELECT name, view_name FROM warehouse.definitions"
                    + " WHERE cardinality(?::text[]) = 0 OR name = ANY (?::text[]) ORDER BY kind, name")) {
                var array = c.createArrayOf("text", names.toArray());
                q.setArray(1, array);
                q.setArray(2, array);
                try (var rs = q.executeQuery()) {
                    while (rs.next()) {
                        views.add(rs.getString(2));
                    }
                }
            }
            for (String view : views) {
                try (var refresh = c.prepareStatement("SELECT warehouse.refresh_view(?)")) {
                    refresh.setString(1, view);
                    refresh.execute();
                }
            }
        }
        return views;
    }

    /** {sql_hash, owner} of the applied definition, or null. */
    private static String[] applied(Connection c, String kind, String name) throws SQLException {
        try (var q = c.prepareStatement("SELECT sql_hash, owner FROM warehouse.definitions WHERE kind = ? AND name = ?")) {
            q.setString(1, kind);
            q.setString(2, name);
            try (var rs = q.executeQuery()) {
                return rs.next() ? new String[] {rs.getString(1), rs.getString(2)} : null;
            }
        }
    }

    /** Owned by a resource other than this store's (./spectrum, with no owner, may act on any). */
    private boolean ownedByAnother(String existingOwner) {
        return owner != null && existingOwner != null && !existingOwner.equals(owner);
    }

    /** CREATE VIEW of the kind's combined view over every definition of that kind recorded (or empty). */
    private static String combinedView(Connection c, Kind kind) throws SQLException {
        List<String> views = new ArrayList<>();
        try (var q = c.prepareStatement("SELECT view_name FROM warehouse.definitions WHERE kind = ? ORDER BY name")) {
            q.setString(1, kind.name());
            try (var rs = q.executeQuery()) {
                while (rs.next()) {
                    views.add(rs.getString(1).substring("analytics.".length()));
                }
            }
        }
        var union = new StringBuilder("CREATE VIEW analytics.").append(kind.combinedView()).append(" AS\n");
        if (views.isEmpty()) {
            return union.append("SELECT * FROM ").append(kind.emptyRows()).toString();
        }
        for (int i = 0; i < views.size(); i++) {
            union.append(i == 0 ? "" : "UNION ALL\n").append("SELECT * FROM analytics.").append(identifier(views.get(i))).append('\n');
        }
        return union.toString();
    }
}
