package io.vitrine.evaluation;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.BufferedInputStream;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.PushbackReader;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.zip.GZIPInputStream;
import org.apache.avro.Schema;
import org.apache.avro.file.DataFileReader;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.generic.GenericRecord;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVParser;
import org.apache.commons.csv.CSVRecord;

/**
 * A file of flat rows as tools write them, streamed row by row with where each cell is: CSV (with a header line;
 * quoting, CRLF, a byte order mark and pandas' or R's unnamed index column are accepted), JSON Lines, Parquet
 * and Avro container files; CSV and JSON Lines may be gzip-compressed (recognised by their first bytes).
 * <p>
 * Why not one engine for everything: DuckDB reads all of these fast, but the text formats must report a bad
 * value by the line and column where it stands, in the project's words, and a row-by-row reader we drive
 * (Commons CSV, Jackson's streaming parser) knows both; DuckDB's CSV sniffer also guesses types and would turn a
 * bad value into its own message. Parquet is binary and has no lines: DuckDB reads it (the alternative,
 * parquet-java, needs Hadoop's libraries), and a bad value is named by row and column.
 */
final class TableFile {

    /** One row: its cells by column name, with where each cell is for messages. */
    interface Row {
        /** The cell's text, or null when the column is absent or the cell is empty (NA, NaN, null). */
        String get(String column);

        /** Where a cell is, e.g. {@code line 9, column 6 (propensity_score)}. */
        String where(String column);

        /** Where the row is, e.g. {@code line 9}. */
        String where();
    }

    /** Receives the columns once, then every row in file order. */
    interface Visitor {
        void columns(List<String> names) throws LogFormatException;

        void row(Row row) throws LogFormatException;

        /**
         * A row that could not be parsed at all (a JSON line that is not JSON, a CSV line with too many values):
         * the message names the file, line and column. Fails the read unless the visitor skips and counts it.
         */
        default void unreadable(String message) throws LogFormatException {
            throw new LogFormatException(message);
        }
    }

    private TableFile() {
    }

    /** The file's name without a {@code .gz} ending, lower case: what its format is recognised by. */
    static String kind(Path file) {
        String name = file.getFileName().toString().toLowerCase(Locale.ROOT);
        return name.endsWith(".gz") ? name.substring(0, name.length() - 3) : name;
    }

    static boolean isCsv(Path file) {
        String kind = kind(file);
        return kind.endsWith(".csv") || kind.endsWith(".tsv") || kind.endsWith(".txt");
    }

    static boolean isJsonLines(Path file) {
        String kind = kind(file);
        return kind.endsWith(".jsonl") || kind.endsWith(".ndjson") || kind.endsWith(".json");
    }

    static boolean isParquet(Path file) {
        return kind(file).endsWith(".parquet");
    }

    static boolean isAvro(Path file) {
        return kind(file).endsWith(".avro");
    }

    /** Streams the rows of {@code file} to {@code visitor}, by the file's format. */
    static void read(Path file, Visitor visitor) throws IOException, LogFormatException {
        if (isCsv(file)) {
            readCsv(file, visitor);
        } else if (isJsonLines(file)) {
            readJsonLines(file, visitor);
        } else if (isParquet(file)) {
            readParquet(file, visitor);
        } else if (isAvro(file)) {
            readAvro(file, visitor);
        } else {
            throw new LogFormatException(file + ": unknown format; the file name must end in .csv, .tsv, .jsonl, "
                    + ".ndjson, .json, .parquet or .avro (text formats may add .gz)");
        }
    }

    /**
     * The text of a file, decompressed when its first bytes are gzip's magic number, without a UTF-8 byte order
     * mark.
     */
    static Reader openText(Path file) throws IOException {
        InputStream in = new BufferedInputStream(Files.newInputStream(file), 1 << 16);
        in.mark(2);
        int first = in.read();
        int second = in.read();
        in.reset();
        if (first == 0x1f && second == 0x8b) {
            in = new BufferedInputStream(new GZIPInputStream(in, 1 << 16), 1 << 16);
        }
        PushbackReader reader = new PushbackReader(new InputStreamReader(in, StandardCharsets.UTF_8), 1);
        int c = reader.read();
        if (c != -1 && c != '\uFEFF') {
            reader.unread(c);
        }
        return reader;
    }

    /** Empty cells as the common writers spell them: pandas (empty), R (NA), JSON (null), Python (nan). */
    static boolean missing(String text) {
        return text == null || text.isEmpty() || text.equals("NA") || text.equalsIgnoreCase("nan")
                || text.equals("null") || text.equals("None");
    }

    private static void readCsv(Path file, Visitor visitor) throws IOException, LogFormatException {
        char delimiter = kind(file).endsWith(".tsv") ? '\t' : ',';
        CSVFormat format = CSVFormat.DEFAULT.builder().setDelimiter(delimiter).setHeader().setSkipHeaderRecord(true)
                .setAllowMissingColumnNames(true).setTrim(true).get();
        try (Reader text = openText(file); CSVParser parser = CSVParser.builder().setReader(text).setFormat(format)
                .get()) {
            List<String> header = parser.getHeaderNames();
            visitor.columns(header);
            Map<String, Integer> index = new HashMap<>();
            for (int i = 0; i < header.size(); i++) {
                index.putIfAbsent(header.get(i), i);
            }
            var records = parser.iterator();
            while (true) {
                CSVRecord record;
                try {
                    if (!records.hasNext()) {
                        break;
                    }
                    record = records.next();
                } catch (UncheckedIOException e) {
                    throw new LogFormatException(file + ": line " + parser.getCurrentLineNumber() + ": not valid CSV: "
                            + csvProblem(e.getCause().getMessage()));
                }
                long line = record.getParser().getCurrentLineNumber();
                if (record.size() != header.size()) {
                    int column = Math.min(record.size(), header.size()) + 1;
                    visitor.unreadable(file + ": line " + line + ", column " + column + ": expected "
                            + header.size() + " values as in the header (line 1), found " + record.size());
                    continue;
                }
                visitor.row(new Row() {
                    @Override
                    public String get(String column) {
                        Integer i = index.get(column);
                        if (i == null) {
                            return null;
                        }
                        String value = record.get(i);
                        return missing(value) ? null : value;
                    }

                    @Override
                    public String where(String column) {
                        Integer i = index.get(column);
                        return "line " + line + (i == null ? "" : ", column " + (i + 1)) + " (" + column + ")";
                    }

                    @Override
                    public String where() {
                        return "line " + line;
                    }
                });
            }
        } catch (IllegalArgumentException e) {
            // Commons CSV reports a header it cannot use (a duplicate name) this way.
            throw new LogFormatException(file + ": line 1: expected a header line of distinct column names ("
                    + e.getMessage() + ")");
        }
    }

    /** Commons CSV's reason in a reader's words: what was expected where. */
    private static String csvProblem(String message) {
        if (message != null && message.contains("EOF reached before encapsulated token finished")) {
            java.util.regex.Matcher start = java.util.regex.Pattern.compile("startline (\\d+)").matcher(message);
            return "expected a closing quote (\") for the quoted value opened"
                    + (start.find() ? " on line " + start.group(1) : "") + ", found the end of the file";
        }
        if (message != null && message.contains("invalid char between encapsulated token and delimiter")) {
            return "expected a delimiter or the end of the line after a closing quote (\")";
        }
        return message;
    }

    private static final JsonFactory JSON = JsonFactory.builder().build();

    /** One flat JSON object per line; nested values are kept as their JSON text. */
    private static void readJsonLines(Path file, Visitor visitor) throws IOException, LogFormatException {
        try (BufferedReader reader = new BufferedReader(openText(file), 1 << 16)) {
            String text;
            long line = 0;
            boolean first = true;
            while ((text = reader.readLine()) != null) {
                line++;
                if (text.isBlank()) {
                    continue;
                }
                Map<String, String> values = new HashMap<>();
                Map<String, Integer> columns = new HashMap<>();
                List<String> names = first ? new ArrayList<>() : null;
                try (JsonParser json = JSON.createParser(text)) {
                    if (json.nextToken() != JsonToken.START_OBJECT) {
                        visitor.unreadable(file + ": line " + line + ", column 1: expected a JSON object ({...}), "
                                + "found " + json.currentToken());
                        continue;
                    }
                    while (json.nextToken() == JsonToken.FIELD_NAME) {
                        String name = json.currentName();
                        JsonToken value = json.nextToken();
                        columns.put(name, json.currentTokenLocation().getColumnNr());
                        if (names != null) {
                            names.add(name);
                        }
                        if (value == JsonToken.START_OBJECT || value == JsonToken.START_ARRAY) {
                            json.skipChildren();
                        } else if (value != JsonToken.VALUE_NULL) {
                            values.put(name, json.getText());
                        }
                    }
                } catch (JsonParseException e) {
                    visitor.unreadable(file + ": line " + line + ", column " + e.getLocation().getColumnNr()
                            + ": not valid JSON: " + e.getOriginalMessage());
                    continue;
                }
                if (first) {
                    visitor.columns(names);
                    first = false;
                }
                long at = line;
                visitor.row(new Row() {
                    @Override
                    public String get(String column) {
                        String value = values.get(column);
                        return missing(value) ? null : value;
                    }

                    @Override
                    public String where(String column) {
                        Integer c = columns.get(column);
                        return "line " + at + (c == null ? "" : ", column " + c) + " (" + column + ")";
                    }

                    @Override
                    public String where() {
                        return "line " + at;
                    }
                });
            }
            if (first) {
                visitor.columns(List.of());
            }
        }
    }

    private static void readParquet(Path file, Visitor visitor) throws LogFormatException {
        try (Connection duckdb = DriverManager.getConnection("jdbc:duckdb:");
             Statement statement = duckdb.createStatement()) {
            statement.execute("SET threads TO 2");
            String path = file.toAbsolutePath().toString().replace("'", "''");
            try (ResultSet rows = statement.executeQuery("SELECT * FROM read_parquet('" + path + "')")) {
                ResultSetMetaData meta = rows.getMetaData();
                List<String> names = new ArrayList<>();
                Map<String, Integer> index = new HashMap<>();
                for (int i = 1; i <= meta.getColumnCount(); i++) {
                    names.add(meta.getColumnName(i));
                    index.putIfAbsent(meta.getColumnName(i), i);
                }
                visitor.columns(names);
                long number = 0;
                String[] cells = new String[names.size()];
                while (rows.next()) {
                    number++;
                    for (int i = 0; i < cells.length; i++) {
                        cells[i] = rows.getString(i + 1);
                    }
                    long at = number;
                    visitor.row(new Row() {
                        @Override
                        public String get(String column) {
                            Integer i = index.get(column);
                            return i == null || missing(cells[i - 1]) ? null : cells[i - 1];
                        }

                        @Override
                        public String where(String column) {
                            Integer i = index.get(column);
                            return "row " + at + (i == null ? "" : ", column " + i) + " (" + column + ")";
                        }

                        @Override
                        public String where() {
                            return "row " + at;
                        }
                    });
                }
            }
        } catch (SQLException e) {
            throw new LogFormatException(file + ": not a readable Parquet file: "
                    + e.getMessage().lines().findFirst().orElse(""));
        }
    }

    /**
     * An Avro container file of flat records, one per row, as a Kafka Connect sink or a Spark job writes them.
     * Numbers, strings and nulls are read like CSV values.
     */
    private static void readAvro(Path file, Visitor visitor) throws IOException, LogFormatException {
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
            visitor.columns(fields);
            long number = 0;
            for (GenericRecord record : reader) {
                number++;
                long at = number;
                visitor.row(new Row() {
                    @Override
                    public String get(String column) {
                        Object value = record.hasField(column) ? record.get(column) : null;
                        return value == null || missing(value.toString()) ? null : value.toString();
                    }

                    @Override
                    public String where(String column) {
                        return "record " + at + " (" + column + ")";
                    }

                    @Override
                    public String where() {
                        return "record " + at;
                    }
                });
            }
        } catch (org.apache.avro.AvroRuntimeException e) {
            throw new LogFormatException(file + ": not a readable Avro container file: " + e.getMessage());
        }
    }
}
