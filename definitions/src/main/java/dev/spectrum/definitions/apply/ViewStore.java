package dev.spectrum.definitions.apply;

import static dev.spectrum.definitions.sql.SqlText.identifier;
import static dev.spectrum.definitions.sql.SqlText.literal;

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

    private static final String FUNNEL_KEY = "(granularity, period_start, breakdown, step)";

    private final DataSource dataSource;

    public ViewStore(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    /** The SQL that makes a funnel's view, as applied (its hash is the definition's identity). */
    public static String funnelSql(FunnelDefinition funnel) {
        return "CREATE MATERIALIZED VIEW analytics." + identifier(funnel.viewName()) + " AS\n" + FunnelSql.select(funnel);
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
        String view = funnel.viewName();
        String select = FunnelSql.select(funnel);
        String hash = sha256(funnelSql(funnel));
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(false);
            try (var st = c.createStatement()) {
                st.execute("SET LOCAL ROLE spectrum_pipeline");
                st.execute("SELECT pg_advisory_xact_lock(hashtext('spectrum.definitions'))"); // one change at a time
                String applied = appliedHash(c, "Funnel", funnel.name());
                if (hash.equals(applied)) {
                    c.rollback();
                    return Outcome.UNCHANGED;
                }
                String next = view + "__next";
                st.execute("DROP MATERIALIZED VIEW IF EXISTS analytics." + identifier(next));
                st.execute("CREATE MATERIALIZED VIEW analytics." + identifier(next) + " AS\n" + select);
                st.execute("CREATE UNIQUE INDEX " + identifier(next + "_key") + " ON analytics." + identifier(next)
                        + " " + FUNNEL_KEY + " NULLS NOT DISTINCT");
                // the swap: short, all in this transaction
                st.execute("DROP VIEW analytics.mv_conversion_funnels");
                st.execute("DROP MATERIALIZED VIEW IF EXISTS analytics." + identifier(view));
                st.execute("ALTER MATERIALIZED VIEW analytics." + identifier(next) + " RENAME TO " + identifier(view));
                st.execute("ALTER INDEX analytics." + identifier(next + "_key") + " RENAME TO " + identifier(view + "_key"));
                try (var record = c.prepareStatement("""
                        INSERT INTO warehouse.definitions (kind, name, view_name, sql_hash, sql, spec, applied_at)
                        VALUES ('Funnel', ?, ?, ?, ?, ?::jsonb, now())
                        ON CONFLICT (kind, name) DO UPDATE SET view_name = excluded.view_name, sql_hash = excluded.sql_hash,
                            sql = excluded.sql, spec = excluded.spec, applied_at = excluded.applied_at""")) {
                    record.setString(1, funnel.name());
                    record.setString(2, "analytics." + view);
                    record.setString(3, hash);
                    record.setString(4, funnelSql(funnel));
                    record.setString(5, specJson);
                    record.executeUpdate();
                }
                st.execute(combinedFunnelView(c));
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

    /** Drops a funnel's view; returns false when there was none. */
    public boolean deleteFunnel(String name) throws SQLException {
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(false);
            try (var st = c.createStatement()) {
                st.execute("SET LOCAL ROLE spectrum_pipeline");
                st.execute("SELECT pg_advisory_xact_lock(hashtext('spectrum.definitions'))");
                String view;
                try (var q = c.prepareStatement("DELETE FROM warehouse.definitions WHERE kind = 'Funnel' AND name = ? RETURNING view_name")) {
                    q.setString(1, name);
                    try (var rs = q.executeQuery()) {
                        if (!rs.next()) {
                            c.rollback();
                            return false;
                        }
                        view = rs.getString(1).substring("analytics.".length());
                    }
                }
                st.execute("DROP VIEW analytics.mv_conversion_funnels");
                st.execute("DROP MATERIALIZED VIEW IF EXISTS analytics." + identifier(view));
                st.execute(combinedFunnelView(c));
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

    private static String appliedHash(Connection c, String kind, String name) throws SQLException {
        try (var q = c.prepareStatement("SELECT sql_hash FROM warehouse.definitions WHERE kind = ? AND name = ?")) {
            q.setString(1, kind);
            q.setString(2, name);
            try (var rs = q.executeQuery()) {
                return rs.next() ? rs.getString(1) : null;
            }
        }
    }

    /** CREATE VIEW analytics.mv_conversion_funnels over every funnel recorded (or empty). */
    private static String combinedFunnelView(Connection c) throws SQLException {
        List<String> views = new ArrayList<>();
        try (var q = c.prepareStatement("SELECT view_name FROM warehouse.definitions WHERE kind = 'Funnel' ORDER BY name");
             var rs = q.executeQuery()) {
            while (rs.next()) {
                views.add(rs.getString(1).substring("analytics.".length()));
            }
        }
        if (views.isEmpty()) {
            return "CREATE VIEW analytics.mv_conversion_funnels AS SELECT * FROM warehouse.no_funnel_rows";
        }
        var union = new StringBuilder("CREATE VIEW analytics.mv_conversion_funnels AS\n");
        for (int i = 0; i < views.size(); i++) {
            union.append(i == 0 ? "" : "UNION ALL\n").append("SELECT * FROM analytics.").append(identifier(views.get(i))).append('\n');
        }
        return union.toString();
    }
}
