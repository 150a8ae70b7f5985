package io.vitrine.evaluation;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads logged rounds from a flat log file ({@link TableFile}: CSV, JSON Lines, Parquet, Avro, gzip) through a
 * {@link ColumnMapping}, or from a Decision Service log ({@link DecisionServiceLog}), recognised by its fields.
 * A row that cannot be used (a missing column, a propensity outside (0, 1], an action outside the action set, a
 * value that is not a number) stops the read with the file, line and column at fault and what was expected,
 * or, in lenient mode, is skipped and counted.
 *
 * <p>Context values that are not numbers (hashed categorical features, as in the public data sets) are turned
 * into a stable number in [0, 1) from their text: the importance-weighted estimators do not read contexts, and
 * the direct method's linear model then sees them as arbitrary codes. An empty context cell reads as 0.
 *
 * <p>With an item features file ({@link ItemFeatures}), every round's actions carry their features, joined by
 * action id, and the item file's ids belong to the action set.
 */
public final class LogReader {

    /**
     * What was read: the rounds, the rows skipped in lenient mode with the first reasons, and each slice
     * dimension's label of every round ({@link SliceColumns}).
     */
    public record Result(List<LoggedRound> rounds, int skipped, List<String> skipReasons,
                         Map<String, String[]> slices) {

        public Result(List<LoggedRound> rounds, int skipped, List<String> skipReasons) {
            this(rounds, skipped, skipReasons, Map.of());
        }
    }

    private final ColumnMapping mapping;
    private final boolean lenient;
    private final ItemFeatures items;
    private final SliceColumns slices;

    /** @param lenient skip and count unusable rows instead of failing on the first */
    public LogReader(ColumnMapping mapping, boolean lenient) {
        this(mapping, lenient, null, SliceColumns.none());
    }

    /** @param items the actions' features, or null when the log names actions by id only */
    public LogReader(ColumnMapping mapping, boolean lenient, ItemFeatures items) {
        this(mapping, lenient, items, SliceColumns.none());
    }

    /** @param slices the columns to slice the rounds by */
    public LogReader(ColumnMapping mapping, boolean lenient, ItemFeatures items, SliceColumns slices) {
        this.mapping = mapping;
        this.lenient = lenient;
        this.items = items;
        this.slices = slices;
    }

    /** Reads a log file, by its format. */
    public Result read(Path file) throws IOException, LogFormatException {
        if (TableFile.isJsonLines(file) && DecisionServiceLog.holdsEvents(file)) {
            Collector collector = new Collector(file);
            DecisionServiceLog.read(file, collector::accept, collector::unusable);
            return collector.result();
        }
        Collector collector = new Collector(file);
        TableFile.read(file, new TableFile.Visitor() {
            List<String> context;

            @Override
            public void columns(List<String> names) throws LogFormatException {
                List<String> needed = new ArrayList<>(List.of(mapping.action(), mapping.reward(),
                        mapping.propensity()));
                needed.addAll(slices.segments());
                if (slices.bucket() != null) {
                    needed.add(slices.timestamp());
                }
                for (String required : needed) {
                    if (!names.contains(required)) {
                        String where = TableFile.isAvro(file) ? "record schema" : TableFile.isCsv(file) ? "line 1"
                                : "first row";
                        String noun = TableFile.isCsv(file) || TableFile.isParquet(file) ? "column" : "field";
                        throw new LogFormatException(file + ": " + where + ": no " + noun + " '" + required
                                + "' (" + noun + "s: " + String.join(", ", names) + ")");
                    }
                }
                context = mapping.contextColumns().isEmpty()
                        ? names.stream().filter(n -> !mapping.contextPrefix().isEmpty()
                                && n.startsWith(mapping.contextPrefix())).toList()
                        : mapping.contextColumns();
            }

            @Override
            public void row(TableFile.Row row) throws LogFormatException {
                collector.parse(row, context);
            }

            @Override
            public void unreadable(String message) throws LogFormatException {
                collector.unusable(message);
            }
        });
        return collector.result();
    }

    /** One usable round before the action set's size is known. */
    record Parsed(String where, float[] context, int action, double reward, double propensity, String slot,
                  float[][] candidates, String[] labels) {
    }

    /** Gathers the parsed rows, fails on or counts the unusable ones, and makes the rounds at the end. */
    private final class Collector {
        private final Path file;
        private final List<Parsed> parsed = new ArrayList<>();
        private final List<String> reasons = new ArrayList<>();
        private final Map<String, String> slots = new HashMap<>();
        private int skipped;

        Collector(Path file) {
            this.file = file;
        }

        void unusable(String message) throws LogFormatException {
            if (!lenient) {
                throw new LogFormatException(message + " (--lenient skips and counts such rows)");
            }
            skipped++;
            if (reasons.size() < 10) {
                reasons.add(message);
            }
        }

        void accept(Parsed round) {
            parsed.add(round);
        }

        void parse(TableFile.Row row, List<String> contextColumns) throws LogFormatException {
            String problem = null;
            int action = -1;
            double reward = 0;
            double propensity = 0;
            String actionText = row.get(mapping.action());
            String rewardText = row.get(mapping.reward());
            String propensityText = row.get(mapping.propensity());
            action = actionId(actionText);
            if (action < 0) {
                problem = row.where(mapping.action()) + ": expected an action id, an integer from 0, found "
                        + found(actionText);
            } else if (!Double.isFinite(reward = number(rewardText))) {
                problem = row.where(mapping.reward()) + ": expected a reward, a finite number, found "
                        + found(rewardText);
            } else if (!((propensity = number(propensityText)) > 0 && propensity <= 1)) {
                problem = row.where(mapping.propensity()) + ": expected a propensity in (0, 1], found "
                        + found(propensityText);
            }
            if (problem != null) {
                unusable(file + ": " + problem);
                return;
            }
            float[] context = new float[contextColumns.size()];
            for (int j = 0; j < context.length; j++) {
                context[j] = feature(row.get(contextColumns.get(j)));
            }
            String slot = row.get(mapping.position());
            if (slot != null) {
                slot = slots.computeIfAbsent(slot, s -> s);
            }
            List<String> dimensions = slices.dimensions();
            String[] labels = new String[dimensions.size()];
            for (int j = 0; j < slices.segments().size(); j++) {
                String value = row.get(slices.segments().get(j));
                labels[j] = value == null ? "(empty)" : slots.computeIfAbsent(value, s -> s);
            }
            if (slices.bucket() != null) {
                String text = row.get(slices.timestamp());
                String bucket = slices.bucketOf(text);
                if (bucket == null) {
                    unusable(file + ": " + row.where(slices.timestamp()) + ": expected a timestamp such as "
                            + "2019-11-24 00:00:37 or 2019-11-24T00:00:37Z, found " + found(text));
                    return;
                }
                labels[labels.length - 1] = slots.computeIfAbsent(bucket, s -> s);
            }
            parsed.add(new Parsed(row.where(), context, action, reward, propensity, slot, null, labels));
        }

        Result result() throws LogFormatException {
            int actions = mapping.actions().orElseGet(() -> Math.max(items == null ? 0 : items.size(),
                    parsed.stream().mapToInt(p -> p.action() + 1).max().orElse(0)));
            float[][] candidates = items == null ? null : items.matrix(actions);
            List<LoggedRound> rounds = new ArrayList<>(parsed.size());
            List<String> dimensions = slices.dimensions();
            List<String[]> labels = new ArrayList<>();
            for (Parsed p : parsed) {
                int size = p.candidates() != null ? p.candidates().length : actions;
                if (p.action() >= size) {
                    unusable(file + ": " + p.where() + " (" + mapping.action() + "): expected one of the " + size
                            + " actions (ids 0 to " + (size - 1) + "), found " + p.action());
                    continue;
                }
                if (items != null && !items.has(p.action())) {
                    unusable(file + ": " + p.where() + " (" + mapping.action() + "): action " + p.action()
                            + " has no row in the item features file " + items.file());
                    continue;
                }
                rounds.add(new LoggedRound(p.context(), size, p.action(), p.reward(), p.propensity(), p.slot(),
                        p.candidates() != null ? p.candidates() : candidates));
                labels.add(p.labels());
            }
            parsed.clear();
            Map<String, String[]> byDimension = new java.util.LinkedHashMap<>();
            for (int j = 0; j < dimensions.size(); j++) {
                String[] column = new String[rounds.size()];
                for (int t = 0; t < column.length; t++) {
                    column[t] = labels.get(t) == null ? null : labels.get(t)[j];
                }
                byDimension.put(dimensions.get(j), column);
            }
            return new Result(rounds, skipped, reasons, byDimension);
        }
    }

    private static String found(String text) {
        return text == null ? "an empty cell" : "'" + text + "'";
    }

    /** An action id: an integer from 0, also as pandas writes integers of a column with gaps ("3.0"); else -1. */
    static int actionId(String text) {
        if (text == null) {
            return -1;
        }
        try {
            return Math.max(-1, Integer.parseInt(text));
        } catch (NumberFormatException e) {
            double value = number(text);
            return value >= 0 && value == Math.rint(value) && value < Integer.MAX_VALUE ? (int) value : -1;
        }
    }

    /**
     * A number, or NaN when the text is missing or not a number. Java's own suffixes ({@code 1d}, {@code 2f}) and
     * hexadecimal forms are not numbers here: hashed features such as {@code 9f3c0d} must stay text.
     */
    static double number(String text) {
        if (text == null || text.isEmpty()) {
            return Double.NaN;
        }
        if (!looksNumeric(text)) {
            return bool(text);
        }
        try {
            return Double.parseDouble(text);
        } catch (NumberFormatException e) {
            return bool(text);
        }
    }

    /**
     * Digits with an optional sign, point and exponent (and Infinity, NaN as Java writes them), checked before
     * parsing: a parse that fails costs an exception, and a log of a million rows with hashed features would
     * throw millions of them.
     */
    private static boolean looksNumeric(String text) {
        if (text.equals("Infinity") || text.equals("-Infinity")) {
            return true;
        }
        char last = text.charAt(text.length() - 1);
        if (!(last >= '0' && last <= '9' || last == '.')) {
            return false;
        }
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (!(c >= '0' && c <= '9' || c == '.' || c == 'e' || c == 'E' || c == '-' || c == '+')) {
                return false;
            }
        }
        return true;
    }

    private static double bool(String text) {
        return switch (text) {
            case "true", "True", "TRUE" -> 1;
            case "false", "False", "FALSE" -> 0;
            default -> Double.NaN;
        };
    }

    /** A number as it is; an empty cell as 0; any other text as a stable code in [0, 1). */
    static float feature(String text) {
        if (text == null) {
            return 0;
        }
        double value = number(text);
        if (Double.isFinite(value) && Math.abs(value) <= Float.MAX_VALUE) {
            return (float) value;
        }
        return (text.hashCode() & 0x7fffffff) / (float) (1L << 31);
    }
}
