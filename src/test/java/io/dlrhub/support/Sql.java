package io.dlrhub.support;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Reads what dlr-hub committed, the way an operator would: plain SQL over JDBC. */
public final class Sql {

    private Sql() {}

    public static List<Map<String, Object>> rows(TestDatabase database, String sql, Object... parameters) {
        try (Connection connection = database.connect();
                PreparedStatement statement = connection.prepareStatement(sql)) {
            for (int i = 0; i < parameters.length; i++) {
                statement.setObject(i + 1, parameters[i]);
            }
            try (ResultSet resultSet = statement.executeQuery()) {
                ResultSetMetaData meta = resultSet.getMetaData();
                List<Map<String, Object>> rows = new ArrayList<>();
                while (resultSet.next()) {
                    Map<String, Object> row = new LinkedHashMap<>();
                    for (int c = 1; c <= meta.getColumnCount(); c++) {
                        row.put(meta.getColumnLabel(c).toLowerCase(java.util.Locale.ROOT), resultSet.getObject(c));
                    }
                    rows.add(row);
                }
                return rows;
            }
        } catch (Exception e) {
            throw new IllegalStateException("query failed: " + sql, e);
        }
    }

    public static long count(TestDatabase database, String sql, Object... parameters) {
        Object value =
                rows(database, sql, parameters).get(0).values().iterator().next();
        return ((Number) value).longValue();
    }
}
