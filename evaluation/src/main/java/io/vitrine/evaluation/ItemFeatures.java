package io.vitrine.evaluation;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.TreeMap;

/**
 * The features of every action (item), from a file beside the log: one row per action id, as the public data sets
 * ship them ({@code item_context.csv}: {@code item_id, item_feature_0, ...}). Any format {@link TableFile} reads.
 * Text features become stable codes, as context features do ({@link LogReader#feature}).
 */
public final class ItemFeatures {

    private final Path file;
    private final TreeMap<Integer, float[]> rows;
    private final int dimension;

    private ItemFeatures(Path file, TreeMap<Integer, float[]> rows, int dimension) {
        this.file = file;
        this.rows = rows;
        this.dimension = dimension;
    }

    /**
     * Reads the file: the action id in column {@code idColumn}, features in the columns starting with
     * {@code prefix}. A duplicate id, or an id that is not an integer from 0, is an error naming its line.
     */
    public static ItemFeatures read(Path file, String idColumn, String prefix) throws IOException, LogFormatException {
        TreeMap<Integer, float[]> rows = new TreeMap<>();
        int[] dimension = {0};
        TableFile.read(file, new TableFile.Visitor() {
            List<String> features;

            @Override
            public void columns(List<String> names) throws LogFormatException {
                if (!names.contains(idColumn)) {
                    throw new LogFormatException(file + ": line 1: no column '" + idColumn + "' (columns: "
                            + String.join(", ", names) + ")");
                }
                features = names.stream().filter(n -> n.startsWith(prefix)).toList();
                if (features.isEmpty()) {
                    throw new LogFormatException(file + ": line 1: no column starting with '" + prefix
                            + "' (columns: " + String.join(", ", names) + ")");
                }
                dimension[0] = features.size();
            }

            @Override
            public void row(TableFile.Row row) throws LogFormatException {
                String text = row.get(idColumn);
                int id = LogReader.actionId(text);
                if (id < 0) {
                    throw new LogFormatException(file + ": " + row.where(idColumn)
                            + ": expected an action id, an integer from 0, found " + (text == null ? "an empty cell"
                            : "'" + text + "'"));
                }
                float[] values = new float[features.size()];
                for (int j = 0; j < values.length; j++) {
                    values[j] = LogReader.feature(row.get(features.get(j)));
                }
                if (rows.put(id, values) != null) {
                    throw new LogFormatException(file + ": " + row.where(idColumn) + ": expected each action id once, "
                            + "found " + id + " again");
                }
            }
        });
        return new ItemFeatures(file, rows, dimension[0]);
    }

    Path file() {
        return file;
    }

    /** The largest action id plus one. */
    int size() {
        return rows.isEmpty() ? 0 : rows.lastKey() + 1;
    }

    boolean has(int action) {
        return rows.containsKey(action);
    }

    /** One row per action of an action set of {@code actions}, zeros where the file has none; shared by every round. */
    float[][] matrix(int actions) {
        float[][] matrix = new float[actions][];
        for (int a = 0; a < actions; a++) {
            float[] row = rows.get(a);
            matrix[a] = row != null ? row : new float[dimension];
        }
        return matrix;
    }
}
