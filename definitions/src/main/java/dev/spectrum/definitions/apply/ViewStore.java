package dev.spectrum.definitions.apply;

import static dev.spectrum.definitions.sql.SqlText.identifier;
import static dev.spectrum.definitions.sql.SqlText.literal;

import dev.spectrum.definitions.Definition;
import dev.spectrum.definitions.ViewName;
import dev.spectrum.definitions.ViewShape;
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

    public static String sha256(String text) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Creates or replaces the definition's view; nothing changes when its SQL is the same. */
    public Outcome apply(Definition definition, String specJson) throws SQLException {
        String kind = definition.kind();
        String name = definition.name();
        ViewName view = definition.viewName();
        ViewShape shape = definition.shape();
        String select = definition.selectSql();
        String sql = Definition.createSql(view, select);
        String hash = sha256(sql);
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(false);
            try (var st = c.createStatement()) {
                st.execute("SET LOCAL ROLE spectrum_pipeline");
                st.execute("SELECT pg_advisory_xact_lock(hashtext('spectrum.definitions'))"); // one change at a time
                String[] existing = applied(c, kind, name);
                String applied = existing == null ? null : existing[0];
                if (existing != null && ownedByAnother(existing[1])) {
                    throw new Conflict(kind + " " + name + " from " + existing[1] + " already owns " + view.qualified()
                            + " in this database; give this one another name");
                }
                if (hash.equals(applied)) {
                    c.rollback();
                    return Outcome.UNCHANGED;
                }
                ViewName next = view.suffixed("__next");
                // as warehouse.refresh_view (V16): no JIT, whose compiling cost more than the
                // query at 1M events; until the end of this transaction
                st.execute("SET LOCAL jit = off");
                st.execute("DROP MATERIALIZED VIEW IF EXISTS " + next.quoted());
                st.execute(Definition.createSql(next, select));
                st.execute("CREATE UNIQUE INDEX " + identifier(next.name() + "_key") + " ON " + next.quoted()
                        + " " + shape.uniqueKey() + " NULLS NOT DISTINCT");
                // the swap: short, all in this transaction
                st.execute("DROP VIEW " + shape.combinedView().quoted());
                st.execute("DROP MATERIALIZED VIEW IF EXISTS " + view.quoted());
                st.execute("ALTER MATERIALIZED VIEW " + next.quoted() + " RENAME TO " + identifier(view.name()));
                st.execute("ALTER INDEX " + next.suffixed("_key").quoted() + " RENAME TO " + identifier(view.name() + "_key"));
                try (var record = c.prepareStatement("""
                        INSERT INTO warehouse.definitions (kind, name, view_name, sql_hash, sql, spec, applied_at, owner)
                        VALUES (?, ?, ?, ?, ?, ?::jsonb, now(), ?)
                        ON CONFLICT (kind, name) DO UPDATE SET view_name = excluded.view_name, sql_hash = excluded.sql_hash,
                            sql = excluded.sql, spec = excluded.spec, applied_at = excluded.applied_at,
                            owner = coalesce(excluded.owner, definitions.owner)""")) {
                    record.setString(1, kind);
                    record.setString(2, name);
                    record.setString(3, view.qualified());
                    record.setString(4, hash);
                    record.setString(5, sql);
                    record.setString(6, specJson);
                    record.setString(7, owner);
                    record.executeUpdate();
                }
                st.execute(combinedView(c, kind, shape));
                st.execute("INSERT INTO analytics.view_refreshes (view_name, refreshed_at) VALUES ("
                        + literal(view.qualified()) + ", clock_timestamp())");
                c.commit();
                return applied == null ? Outcome.CREATED : Outcome.REPLACED;
            } catch (SQLException | RuntimeException e) {
                c.rollback();
                throw e;
            }
        }
    }

    /** Drops the definition's view; false when it was not applied or another resource owns it. */
    public boolean delete(Definition definition) throws SQLException {
        return delete(definition.kind(), definition.shape(), definition.name());
    }

    /**
     * Drops the view of the definition of this kind and name (for a resource whose spec may no
     * longer check); false when it was not applied or another resource owns it.
     */
    public boolean delete(String kind, ViewShape shape, String name) throws SQLException {
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(false);
            try (var st = c.createStatement()) {
                st.execute("SET LOCAL ROLE spectrum_pipeline");
                st.execute("SELECT pg_advisory_xact_lock(hashtext('spectrum.definitions'))");
                ViewName view;
                String[] existing = applied(c, kind, name);
                if (existing != null && ownedByAnother(existing[1])) {
                    c.rollback();
                    return false;   // another resource's view: not ours to drop
                }
                try (var q = c.prepareStatement("DELETE FROM warehouse.definitions WHERE kind = ? AND name = ? RETURNING view_name")) {
                    q.setString(1, kind);
                    q.setString(2, name);
                    try (var rs = q.executeQuery()) {
                        if (!rs.next()) {
                            c.rollback();
                            return false;
                        }
                        view = ViewName.parse(rs.getString(1));
                    }
                }
                st.execute("DROP VIEW " + shape.combinedView().quoted());
                st.execute("DROP MATERIALIZED VIEW IF EXISTS " + view.quoted());
                st.execute(combinedView(c, kind, shape));
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
    private static String combinedView(Connection c, String kind, ViewShape shape) throws SQLException {
        List<ViewName> views = new ArrayList<>();
        try (var q = c.prepareStatement("SELECT view_name FROM warehouse.definitions WHERE kind = ? ORDER BY name")) {
            q.setString(1, kind);
            try (var rs = q.executeQuery()) {
                while (rs.next()) {
                    views.add(ViewName.parse(rs.getString(1)));
                }
            }
        }
        var union = new StringBuilder("CREATE VIEW ").append(shape.combinedView().quoted()).append(" AS\n");
        if (views.isEmpty()) {
            return union.append("SELECT * FROM ").append(shape.emptyRows()).toString();
        }
        for (int i = 0; i < views.size(); i++) {
            union.append(i == 0 ? "" : "UNION ALL\n").append("SELECT * FROM ").append(views.get(i).quoted()).append('\n');
        }
        return union.toString();
    }
}
