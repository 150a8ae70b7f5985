package io.vitrine.evaluation;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import org.apache.avro.Schema;
import org.apache.avro.file.DataFileReader;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.generic.GenericRecord;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVParser;
import org.apache.commons.csv.CSVRecord;

/**
 * Reads logged rounds from a CSV file (with a header line) or a JSONL file (one JSON object per line) through a
 * {@link ColumnMapping}. A row that cannot be used (a missing column, a propensity outside (0, 1], an action
 * outside the action set, a value that is not a number) stops the read with the line at fault, or, in
 * lenient mode, is skipped and counted.
 *
 * <p>Context values that are not numbers (hashed categorical features, as in the public data sets) are turned
 * into a stable number in [0, 1) from their text: the importance-weighted estimators do not read contexts, and
 * the direct method's linear model then sees them as arbitrary codes.
 */
public final class LogReader {

    /** What was read: the rounds, and the rows skipped in lenient mode with the first reasons. */
    public record Result(List<LoggedRound> rounds, int skipped, List<String> skipReasons) {
    }

    private final ColumnMapping mapping;
    private final boolean lenient;

    /** @param lenient skip and count unusable rows instead of failing on the first */
    public LogReader(ColumnMapping mapping, boolean lenient) {
        this.mapping = mapping;
        this.lenient = lenient;
    }

    /** Reads a {@code .csv}, {@code .jsonl} or {@code .avro} (container) file, by its extension. */
    public Result read(Path file) throws IOException, LogFormatException {
        String name = file.getFileName().toString().toLowerCase(java.util.Locale.ROOT);
        if (name.endsWith(".csv")) {
            return readCsv(file);
        }
        if (name.endsWith(".jsonl") || name.endsWith(".ndjson")) {
            return readJsonl(file);
        }
        if (name.endsWith(".avro")) {
            return readAvro(file);
        }
        throw new LogFormatException(file + ": unknown format; the file name must end in .csv, .jsonl or .avro");
    }

    /**
     * An Avro container file of flat records, one per round, whose fields are the mapping's columns (as a
     * Kafka Connect sink or a Spark job writes them). Numbers, strings and nulls are read like CSV values.
     */
    private Result readAvro(Path file) throws IOException, LogFormatException {
        DataFileReader<GenericRecord> opened;
        try {
            opened = new DataFileReader<>(file.toFile(), new GenericDatumReader<>());
        } catch (IOException e) {
            throw new LogFormatException(file + ": not an Avro container file (" + e.getMessage() + ")");
        }
        try (DataFileReader<GenericRecord> reader = opened) {
            Schema schema = reader.getSchema();
            if (schema.getType() != Schema.Type.RECORD) {
                throw new LogFormatException(file + ": holds " + schema.getType() + " values, not records");
            }
            List<String> fields = schema.getFields().stream().map(Schema.Field::name).toList();
            for (String required : List.of(mapping.action(), mapping.reward(), mapping.propensity())) {
                if (!fields.contains(required)) {
                    throw new LogFormatException(file + ": record schema " + schema.getFullName() + " has no field '"
                            + required + "' (fields: " + String.join(", ", fields) + ")");
                }
            }
            List<String> context = contextColumns(fields);
            List<Row> rows = new ArrayList<>();
            long number = 0;
            for (GenericRecord record : reader) {
                number++;
                rows.add(Row.of(number, column -> {
                    Object value = record.hasField(column) ? record.get(column) : null;
                    return value == null ? null : value.toString();
                }, mapping, context));
            }
            return collect(file, rows, "record");
        } catch (org.apache.avro.AvroRuntimeException e) {
            throw new LogFormatException(file + ": not a readable Avro container file: " + e.getMessage());
        }
    }

    private Result readCsv(Path file) throws IOException, LogFormatException {
        CSVFormat format = CSVFormat.DEFAULT.builder().setHeader().setSkipHeaderRecord(true).setTrim(true).get();
        try (CSVParser parser = CSVParser.parse(file, StandardCharsets.UTF_8, format)) {
            List<String> header = parser.getHeaderNames();
            List<String> context = contextColumns(header);
            for (String required : List.of(mapping.action(), mapping.reward(), mapping.propensity())) {
                if (!header.contains(required)) {
                    throw new LogFormatException(file + ": line 1: no column '" + required + "' (columns: "
                            + String.join(", ", header) + ")");
                }
            }
            List<Row> rows = new ArrayList<>();
            for (CSVRecord record : parser) {
                long line = record.getParser().getCurrentLineNumber();
                if (!record.isConsistent()) {
                    rows.add(Row.bad(line, "has " + record.size() + " values, the header " + header.size()));
                    continue;
                }
                rows.add(Row.of(line, column -> record.isMapped(column) ? record.get(column) : null, mapping, context));
            }
            return collect(file, rows, "line");
        }
    }

    private Result readJsonl(Path file) throws IOException, LogFormatException {
        ObjectMapper json = new ObjectMapper();
        List<Row> rows = new ArrayList<>();
        List<String> context = null;
        try (BufferedReader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            String text;
            long line = 0;
            while ((text = reader.readLine()) != null) {
                line++;
                if (text.isBlank()) {
                    continue;
                }
                JsonNode node;
                try {
                    node = json.readTree(text);
                } catch (IOException e) {
                    rows.add(Row.bad(line, "is not JSON: " + e.getMessage().lines().findFirst().orElse("")));
                    continue;
                }
                if (!node.isObject()) {
                    rows.add(Row.bad(line, "is not a JSON object"));
                    continue;
                }
                if (context == null) {
                    List<String> fields = new ArrayList<>();
                    node.fieldNames().forEachRemaining(fields::add);
                    context = contextColumns(fields);
                }
                JsonNode object = node;
                rows.add(Row.of(line, column -> object.has(column) && !object.get(column).isNull()
                        ? object.get(column).asText() : null, mapping, context));
            }
        }
        return collect(file, rows, "line");
    }

    private List<String> contextColumns(List<String> names) {
        if (!mapping.contextColumns().isEmpty()) {
            return mapping.contextColumns();
        }
        return names.stream().filter(n -> !mapping.contextPrefix().isEmpty() && n.startsWith(mapping.contextPrefix()))
                .toList();
    }

    /** @param unit what a row's number counts: "line" of a text file, "record" of an Avro file */
    private Result collect(Path file, List<Row> rows, String unit) throws LogFormatException {
        int actions = mapping.actions().orElseGet(() -> rows.stream().filter(r -> r.problem == null)
                .mapToInt(r -> r.action + 1).max().orElse(0));
        List<LoggedRound> rounds = new ArrayList<>();
        List<String> reasons = new ArrayList<>();
        int skipped = 0;
        for (Row row : rows) {
            String problem = row.problem;
            if (problem == null && row.action >= actions) {
                problem = "action " + row.action + " is not one of the " + actions + " actions";
            }
            if (problem != null) {
                String message = file + ": " + unit + " " + row.line + ": " + problem;
                if (!lenient) {
                    throw new LogFormatException(message + " (use lenient mode to skip and count such rows)");
                }
                skipped++;
                if (reasons.size() < 10) {
                    reasons.add(message);
                }
                continue;
            }
            rounds.add(new LoggedRound(row.context, actions, row.action, row.reward, row.propensity));
        }
        return new Result(rounds, skipped, reasons);
    }

    /** One parsed row, or why it cannot be used. */
    private static final class Row {
        long line;
        String problem;
        int action;
        double reward;
        double propensity;
        float[] context;

        static Row bad(long line, String problem) {
            Row row = new Row();
            row.line = line;
            row.problem = problem;
            return row;
        }

        static Row of(long line, Function<String, String> get, ColumnMapping mapping, List<String> contextColumns) {
            Row row = new Row();
            row.line = line;
            try {
                row.action = Integer.parseInt(required(get, mapping.action()));
                if (row.action < 0) {
                    return bad(line, "action " + row.action + " is negative");
                }
                row.reward = Double.parseDouble(required(get, mapping.reward()));
                if (!Double.isFinite(row.reward)) {
                    return bad(line, "reward " + row.reward + " is not a finite number");
                }
                row.propensity = Double.parseDouble(required(get, mapping.propensity()));
                if (!(row.propensity > 0 && row.propensity <= 1)) {
                    return bad(line, "propensity " + row.propensity + " is outside (0, 1]");
                }
                row.context = new float[contextColumns.size()];
                for (int j = 0; j < contextColumns.size(); j++) {
                    row.context[j] = feature(required(get, contextColumns.get(j)));
                }
                return row;
            } catch (MissingValue e) {
                return bad(line, "no value for '" + e.getMessage() + "'");
            } catch (NumberFormatException e) {
                return bad(line, "not a number: " + e.getMessage());
            }
        }

        private static String required(Function<String, String> get, String column) {
            String value = get.apply(column);
            if (value == null || value.isEmpty()) {
                throw new MissingValue(column);
            }
            return value;
        }

        /** A number as it is; any other text as a stable code in [0, 1). */
        private static float feature(String text) {
            try {
                return Float.parseFloat(text);
            } catch (NumberFormatException e) {
                return (text.hashCode() & 0x7fffffff) / (float) (1L << 31);
            }
        }
    }

    private static final class MissingValue extends RuntimeException {
        MissingValue(String column) {
            super(column, null, false, false);
        }
    }
}
