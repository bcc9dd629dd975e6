// pgjdbc against a live Eddy server; run by tests/e2e/clients-jdbc.test.ts as
//   java -cp /usr/share/java/postgresql.jar tests/clients/jdbc/JdbcCheck.java <jdbc-url>
// (Java 11+ runs a single source file directly). Expects the tables jt (see the test) to exist.
// Prints one line per fact, which the test asserts on:
//   OK <check> [detail]            a check passed
//   FAIL <check> <sqlstate> <msg>  a check threw
//   ROW/TABLE/COLUMN/PK/SCHEMA/CATALOG/TYPE ...   what a query or metadata call returned
import java.math.BigDecimal;
import java.sql.*;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import org.postgresql.PGStatement;
import org.postgresql.util.PGobject;

public class JdbcCheck {
    interface Check {
        void run() throws Exception;
    }

    static Connection conn;

    static void check(String name, Check c) {
        try {
            c.run();
            System.out.println("OK " + name);
        } catch (SQLException e) {
            System.out.println("FAIL " + name + " " + e.getSQLState() + " " + oneLine(e.getMessage()));
        } catch (Throwable e) {
            System.out.println("FAIL " + name + " - " + oneLine(e.toString()));
        }
    }

    static String oneLine(String s) {
        return s == null ? "" : s.replace('\n', ' ');
    }

    static void expect(boolean ok, String what) {
        if (!ok) throw new AssertionError(what);
    }

    public static void main(String[] args) throws Exception {
        conn = DriverManager.getConnection(args[0]);
        System.out.println("OK connect " + conn.getMetaData().getDatabaseProductVersion());

        check("prepared_insert", () -> {
            // Past prepareThreshold (5) pgjdbc switches to a named server-side statement.
            try (PreparedStatement ps = conn.prepareStatement("INSERT INTO jt (id, amount, at, ok, doc, note) VALUES (?, ?, ?, ?, ?, ?)")) {
                for (int i = 1; i <= 20; i++) {
                    ps.setLong(1, 9_000_000_000L + i);
                    ps.setBigDecimal(2, new BigDecimal("1234567890.123456789").add(BigDecimal.valueOf(i)));
                    ps.setObject(3, OffsetDateTime.of(2024, 1, 2, 3, 4, 5, 678_000_000, ZoneOffset.UTC).plusSeconds(i));
                    ps.setBoolean(4, i % 2 == 0);
                    // Types.OTHER sends the text untyped: the server infers jsonb from the column.
                    ps.setObject(5, "{\"i\": " + i + ", \"tags\": [\"a\", \"b\"]}", Types.OTHER);
                    ps.setString(6, "zeile " + i + " äöü €");
                    expect(ps.executeUpdate() == 1, "insert " + i + " reports 1 row");
                }
                expect(ps.unwrap(PGStatement.class).isUseServerPrepare(), "the statement became server-prepared");
            }
        });

        check("prepared_select_binary", () -> {
            try (PreparedStatement ps = conn.prepareStatement("SELECT id, amount, at, ok, doc, note FROM jt WHERE id = ?")) {
                for (int i = 1; i <= 20; i++) {
                    ps.setLong(1, 9_000_000_000L + i);
                    try (ResultSet rs = ps.executeQuery()) {
                        expect(rs.next(), "row " + i + " found");
                        expect(rs.getLong(1) == 9_000_000_000L + i, "bigint " + rs.getLong(1));
                        BigDecimal amount = rs.getBigDecimal(2);
                        expect(amount.compareTo(new BigDecimal("1234567890.123456789").add(BigDecimal.valueOf(i))) == 0, "numeric " + amount);
                        OffsetDateTime at = rs.getObject(3, OffsetDateTime.class);
                        expect(at.toInstant().equals(OffsetDateTime.of(2024, 1, 2, 3, 4, 5, 678_000_000, ZoneOffset.UTC).plusSeconds(i).toInstant()), "timestamptz " + at);
                        expect(rs.getBoolean(4) == (i % 2 == 0), "bool");
                        String doc = rs.getString(5);
                        expect(doc.startsWith("{\"i\": " + i), "jsonb " + doc);
                        expect(rs.getString(6).equals("zeile " + i + " äöü €"), "text " + rs.getString(6));
                        expect(!rs.next(), "one row");
                        if (i == 20) System.out.println("ROW " + doc);
                    }
                }
            }
        });

        check("batch_insert", () -> {
            // executeBatch pipelines Parse/Bind/Execute for every row and syncs once.
            try (PreparedStatement ps = conn.prepareStatement("INSERT INTO jbatch (id, label) VALUES (?, ?)")) {
                for (int i = 1; i <= 1000; i++) {
                    ps.setInt(1, i);
                    ps.setString(2, "label " + i);
                    ps.addBatch();
                }
                int[] counts = ps.executeBatch();
                expect(counts.length == 1000, "1000 update counts");
                for (int n : counts) expect(n == 1 || n == Statement.SUCCESS_NO_INFO, "update count " + n);
            }
            try (Statement st = conn.createStatement(); ResultSet rs = st.executeQuery("SELECT count(*), sum(id) FROM jbatch")) {
                expect(rs.next() && rs.getLong(1) == 1000 && rs.getLong(2) == 500500, "1000 rows stored");
            }
        });

        check("fetch_size_cursor", () -> {
            // With autocommit off and a fetch size, pgjdbc reads through a portal, 100 rows per Execute.
            conn.setAutoCommit(false);
            try (PreparedStatement ps = conn.prepareStatement("SELECT id, label FROM jbatch ORDER BY id")) {
                ps.setFetchSize(100);
                try (ResultSet rs = ps.executeQuery()) {
                    int expected = 1;
                    while (rs.next()) {
                        expect(rs.getInt(1) == expected && rs.getString(2).equals("label " + expected), "row " + expected);
                        expected++;
                    }
                    expect(expected == 1001, "read " + (expected - 1) + " rows");
                }
                conn.commit();
            } finally {
                conn.setAutoCommit(true);
            }
        });

        check("resultset_metadata", () -> {
            // getColumnTypeName asks the catalog whether a column is serial (pg_attribute, pg_class).
            try (Statement st = conn.createStatement(); ResultSet rs = st.executeQuery("SELECT id, amount, at, doc, note FROM jt LIMIT 1")) {
                ResultSetMetaData m = rs.getMetaData();
                StringBuilder b = new StringBuilder("RSMD");
                for (int c = 1; c <= m.getColumnCount(); c++) b.append(' ').append(m.getColumnName(c)).append(':').append(m.getColumnTypeName(c));
                System.out.println(b);
            }
        });

        check("pgobject_jsonb", () -> {
            // A PGobject names its type; pgjdbc looks the name up in pg_type to find its OID.
            try (PreparedStatement ps = conn.prepareStatement("INSERT INTO jt (id, doc) VALUES (?, ?)")) {
                PGobject json = new PGobject();
                json.setType("jsonb");
                json.setValue("{\"via\": \"PGobject\"}");
                ps.setLong(1, 2);
                ps.setObject(2, json);
                expect(ps.executeUpdate() == 1, "one row");
            }
            try (Statement st = conn.createStatement(); ResultSet rs = st.executeQuery("SELECT doc ->> 'via' FROM jt WHERE id = 2")) {
                expect(rs.next() && "PGobject".equals(rs.getString(1)), "jsonb read back");
            }
        });

        check("aggregate_and_nulls", () -> {
            try (Statement st = conn.createStatement()) {
                st.executeUpdate("INSERT INTO jt (id) VALUES (1)");
                try (ResultSet rs = st.executeQuery("SELECT count(*), sum(amount), max(at) FROM jt WHERE id > 9000000000")) {
                    expect(rs.next(), "a row");
                    expect(rs.getLong(1) == 20, "count " + rs.getLong(1));
                    expect(rs.getBigDecimal(2).compareTo(new BigDecimal("24691357802.469135780").add(BigDecimal.valueOf(210))) == 0, "sum " + rs.getBigDecimal(2));
                }
                try (ResultSet rs = st.executeQuery("SELECT amount, at, ok, doc, note FROM jt WHERE id = 1")) {
                    expect(rs.next(), "a row");
                    for (int c = 1; c <= 5; c++) {
                        rs.getObject(c);
                        expect(rs.wasNull(), "column " + c + " is null");
                    }
                }
            }
        });

        check("error_sqlstate", () -> {
            try (Statement st = conn.createStatement()) {
                try {
                    st.executeQuery("SELECT 1 / 0");
                    expect(false, "division by zero fails");
                } catch (SQLException e) {
                    expect("22012".equals(e.getSQLState()), "sqlstate " + e.getSQLState());
                }
                try (ResultSet rs = st.executeQuery("SELECT 'still here'")) {
                    expect(rs.next() && rs.getString(1).equals("still here"), "usable after an error");
                }
            }
        });

        DatabaseMetaData md = conn.getMetaData();
        check("getTables", () -> {
            try (ResultSet rs = md.getTables(null, null, "j%", null)) {
                while (rs.next()) System.out.println("TABLE " + rs.getString("TABLE_SCHEM") + "." + rs.getString("TABLE_NAME") + " " + rs.getString("TABLE_TYPE"));
            }
        });
        check("getColumns", () -> {
            try (ResultSet rs = md.getColumns(null, null, "j%", "%")) {
                while (rs.next()) System.out.println("COLUMN " + rs.getString("TABLE_NAME") + "." + rs.getString("COLUMN_NAME") + " " + rs.getString("TYPE_NAME") + " " + rs.getInt("DATA_TYPE") + " " + rs.getInt("ORDINAL_POSITION"));
            }
        });
        check("getPrimaryKeys", () -> {
            try (ResultSet rs = md.getPrimaryKeys(null, null, "jt")) {
                while (rs.next()) System.out.println("PK " + rs.getString("TABLE_NAME") + "." + rs.getString("COLUMN_NAME") + " " + rs.getInt("KEY_SEQ"));
            }
        });
        check("getSchemas", () -> {
            try (ResultSet rs = md.getSchemas()) {
                while (rs.next()) System.out.println("SCHEMA " + rs.getString("TABLE_SCHEM"));
            }
        });
        check("getCatalogs", () -> {
            try (ResultSet rs = md.getCatalogs()) {
                while (rs.next()) System.out.println("CATALOG " + rs.getString("TABLE_CAT"));
            }
        });
        check("getTypeInfo", () -> {
            try (ResultSet rs = md.getTypeInfo()) {
                while (rs.next()) System.out.println("TYPE " + rs.getString("TYPE_NAME") + " " + rs.getInt("DATA_TYPE"));
            }
        });
        conn.close();
        System.out.println("DONE");
    }
}
