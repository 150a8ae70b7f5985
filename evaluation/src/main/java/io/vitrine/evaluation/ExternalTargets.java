package io.vitrine.evaluation;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * Target policies given from outside the evaluator, read from files in any format {@link TableFile} reads:
 * <ul>
 *   <li>{@code probabilities:FILE}: per-round action probabilities, columns {@code round, action, probability}
 *   and optionally {@code position}. {@code round} is the log's row number from 0, in file order. With a
 *   {@code position} column, only the rows whose position equals the logged row's position apply: this is Open
 *   Bandit Pipeline's {@code action_dist} of shape n x K x L written in long form (one row per (i, a, l)), read
 *   under the convention that a logged row is one (round, position) pair, so that row i is evaluated with
 *   {@code action_dist[i, :, position_i]}. Actions a round does not name get probability 0; each round's
 *   probabilities must sum to 1.</li>
 *   <li>{@code distribution[0=0.5,3=0.5]} or {@code distribution:FILE} (columns {@code action, probability},
 *   optionally {@code position}): the same distribution over actions in every round (per position when the file
 *   has positions).</li>
 *   <li>{@code scores:FILE}: deterministic scores, columns {@code round, action, score} (optionally
 *   {@code position}); the target takes the highest-scored action of each round, and splits evenly between
 *   actions that tie.</li>
 * </ul>
 */
final class ExternalTargets {

    private ExternalTargets() {
    }

    /** The target a name stands for, or null when the name is none of these. */
    static TargetPolicy parse(String name) {
        try {
            if (name.startsWith("probabilities:")) {
                Path file = Path.of(name.substring("probabilities:".length()));
                return perRound(name, PerRoundTable.read(file, "probability"), false);
            }
            if (name.startsWith("scores:")) {
                Path file = Path.of(name.substring("scores:".length()));
                return perRound(name, PerRoundTable.read(file, "score"), true);
            }
            if (name.startsWith("distribution:")) {
                return distribution(name, PerRoundTable.readContextFree(Path.of(name.substring(13))));
            }
        } catch (IOException e) {
            throw new IllegalArgumentException(name + ": cannot read the file: " + e.getMessage());
        } catch (LogFormatException e) {
            throw new IllegalArgumentException(e.getMessage());
        }
        if (name.startsWith("distribution[") && name.endsWith("]")) {
            Map<String, double[]> byPosition = new java.util.HashMap<>();
            byPosition.put(null, inline(name.substring(13, name.length() - 1)));
            return distribution(name, byPosition);
        }
        return null;
    }

    /** {@code 0=0.5,3=0.5}: action = probability, the rest 0. */
    private static double[] inline(String spec) {
        TreeMap<Integer, Double> pairs = new TreeMap<>();
        for (String pair : spec.split(",")) {
            String[] kv = pair.trim().split("=");
            try {
                if (kv.length != 2 || pairs.put(Integer.parseInt(kv[0].trim()), Double.parseDouble(kv[1].trim()))
                        != null) {
                    throw new NumberFormatException();
                }
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("distribution[...] needs action=probability pairs such as "
                        + "distribution[0=0.5,3=0.5], got '" + pair.trim() + "'");
            }
        }
        double[] pi = new double[pairs.lastKey() + 1];
        pairs.forEach((a, p) -> pi[a] = p);
        check(pi, "distribution[" + spec + "]");
        return pi;
    }

    private static void check(double[] pi, String what) {
        double sum = 0;
        for (double p : pi) {
            if (!(p >= 0 && p <= 1)) {
                throw new IllegalArgumentException(what + ": expected probabilities in [0, 1], found " + p);
            }
            sum += p;
        }
        if (Math.abs(sum - 1) > 1e-6) {
            throw new IllegalArgumentException(what + ": expected probabilities summing to 1, found "
                    + String.format(Locale.ROOT, "%.6g", sum));
        }
    }

    /** The same distribution every round, by the round's position when the distribution has positions. */
    private static TargetPolicy distribution(String name, Map<String, double[]> byPosition) {
        return new TargetPolicy() {
            @Override
            public String name() {
                return name;
            }

            @Override
            public double[] probabilities(LoggedRound round) {
                double[] given = byPosition.containsKey(null) ? byPosition.get(null) : byPosition.get(round.slot());
                if (given == null) {
                    throw new IllegalArgumentException(name + ": no distribution for position " + round.slot()
                            + " (positions: " + byPosition.keySet() + ")");
                }
                if (given.length > round.actions()) {
                    throw new IllegalArgumentException(name + ": gives action " + (given.length - 1)
                            + " a probability, but the log's rounds have " + round.actions() + " actions");
                }
                if (given.length == round.actions()) {
                    return given;
                }
                return Arrays.copyOf(given, round.actions());
            }
        };
    }

    private static TargetPolicy perRound(String name, PerRoundTable table, boolean scores) {
        return new TargetPolicy() {
            @Override
            public String name() {
                return name;
            }

            @Override
            public double[] probabilities(LoggedRound round) {
                throw new IllegalStateException(name + " is given per round: it needs the round's number");
            }

            @Override
            public double[] probabilities(int t, LoggedRound round) {
                // An action without a score is never taken; one without a probability has probability 0.
                double[] values = table.round(t, round, scores ? Double.NEGATIVE_INFINITY : 0);
                if (!scores) {
                    check(values, table.file() + ": round " + t + (round.slot() == null ? ""
                            : " (position " + round.slot() + ")"));
                    return values;
                }
                double best = Double.NEGATIVE_INFINITY;
                int ties = 0;
                for (double v : values) {
                    if (v > best) {
                        best = v;
                        ties = 1;
                    } else if (v == best) {
                        ties++;
                    }
                }
                double[] pi = new double[values.length];
                for (int a = 0; a < pi.length; a++) {
                    pi[a] = values[a] == best ? 1.0 / ties : 0;
                }
                return pi;
            }
        };
    }

    /** Rows of (round, action[, position], value), grouped by round. */
    static final class PerRoundTable {
        private final Path file;
        private final int[] start;     // rows of round t: start[t] .. start[t + 1]
        private final int[] actions;
        private final double[] values;
        private final String[] positions; // null when the file has no position column

        private PerRoundTable(Path file, int[] start, int[] actions, double[] values, String[] positions) {
            this.file = file;
            this.start = start;
            this.actions = actions;
            this.values = values;
            this.positions = positions;
        }

        Path file() {
            return file;
        }

        /** Values of every action of log round t; actions the round does not name get {@code absent}. */
        double[] round(int t, LoggedRound round, double absent) {
            if (t + 1 >= start.length || start[t] == start[t + 1]) {
                throw new IllegalArgumentException(file + ": no row for round " + t + " of the log (the file covers "
                        + "rounds 0 to " + (start.length - 2) + ")");
            }
            double[] out = new double[round.actions()];
            Arrays.fill(out, absent);
            boolean any = false;
            for (int i = start[t]; i < start[t + 1]; i++) {
                if (positions != null && round.slot() != null && !positions[i].equals(round.slot())) {
                    continue;
                }
                if (actions[i] >= out.length) {
                    throw new IllegalArgumentException(file + ": round " + t + " names action " + actions[i]
                            + ", but the log's round has " + out.length + " actions");
                }
                out[actions[i]] = values[i];
                any = true;
            }
            if (!any) {
                throw new IllegalArgumentException(file + ": no row for round " + t + " at position " + round.slot());
            }
            return out;
        }

        static PerRoundTable read(Path file, String valueColumn) throws IOException, LogFormatException {
            List<int[]> keys = new ArrayList<>();        // {round, action}
            List<Double> values = new ArrayList<>();
            List<String> positions = new ArrayList<>();
            boolean[] hasPosition = {false};
            TableFile.read(file, new TableFile.Visitor() {
                @Override
                public void columns(List<String> names) throws LogFormatException {
                    for (String required : List.of("round", "action", valueColumn)) {
                        if (!names.contains(required)) {
                            throw new LogFormatException(file + ": line 1: no column '" + required + "' (columns: "
                                    + String.join(", ", names) + ")");
                        }
                    }
                    hasPosition[0] = names.contains("position");
                }

                @Override
                public void row(TableFile.Row row) throws LogFormatException {
                    int round = integer(file, row, "round");
                    int action = integer(file, row, "action");
                    double value = LogReader.number(row.get(valueColumn));
                    if (Double.isNaN(value) || valueColumn.equals("probability") && !(value >= 0 && value <= 1)) {
                        throw new LogFormatException(file + ": " + row.where(valueColumn) + ": expected "
                                + (valueColumn.equals("probability") ? "a probability in [0, 1]" : "a number")
                                + ", found " + shown(row.get(valueColumn)));
                    }
                    keys.add(new int[] {round, action});
                    values.add(value);
                    positions.add(hasPosition[0] ? String.valueOf(row.get("position")) : null);
                }
            });
            int rounds = keys.stream().mapToInt(k -> k[0] + 1).max().orElse(0);
            int[] start = new int[rounds + 1];
            for (int[] k : keys) {
                start[k[0] + 1]++;
            }
            for (int t = 0; t < rounds; t++) {
                start[t + 1] += start[t];
            }
            int[] next = Arrays.copyOf(start, rounds);
            int[] actions = new int[keys.size()];
            double[] vals = new double[keys.size()];
            String[] pos = hasPosition[0] ? new String[keys.size()] : null;
            for (int i = 0; i < keys.size(); i++) {
                int at = next[keys.get(i)[0]]++;
                actions[at] = keys.get(i)[1];
                vals[at] = values.get(i);
                if (pos != null) {
                    pos[at] = positions.get(i);
                }
            }
            return new PerRoundTable(file, start, actions, vals, pos);
        }

        /** A context-free distribution file: {@code action, probability} and optionally {@code position}. */
        static Map<String, double[]> readContextFree(Path file) throws IOException, LogFormatException {
            Map<String, TreeMap<Integer, Double>> rows = new java.util.HashMap<>(); // by position; null: none
            TableFile.read(file, new TableFile.Visitor() {
                boolean hasPosition;

                @Override
                public void columns(List<String> names) throws LogFormatException {
                    for (String required : List.of("action", "probability")) {
                        if (!names.contains(required)) {
                            throw new LogFormatException(file + ": line 1: no column '" + required + "' (columns: "
                                    + String.join(", ", names) + ")");
                        }
                    }
                    hasPosition = names.contains("position");
                }

                @Override
                public void row(TableFile.Row row) throws LogFormatException {
                    int action = integer(file, row, "action");
                    double p = LogReader.number(row.get("probability"));
                    if (!(p >= 0 && p <= 1)) {
                        throw new LogFormatException(file + ": " + row.where("probability")
                                + ": expected a probability in [0, 1], found " + shown(row.get("probability")));
                    }
                    rows.computeIfAbsent(hasPosition ? row.get("position") : null, k -> new TreeMap<>()).put(action, p);
                }
            });
            Map<String, double[]> byPosition = new java.util.HashMap<>();
            rows.forEach((position, pairs) -> {
                double[] pi = new double[pairs.isEmpty() ? 0 : pairs.lastKey() + 1];
                pairs.forEach((a, p) -> pi[a] = p);
                check(pi, file + (position == null ? "" : " (position " + position + ")"));
                byPosition.put(position, pi);
            });
            return byPosition;
        }

        private static int integer(Path file, TableFile.Row row, String column) throws LogFormatException {
            int value = LogReader.actionId(row.get(column));
            if (value < 0) {
                throw new LogFormatException(file + ": " + row.where(column) + ": expected an integer from 0, found "
                        + shown(row.get(column)));
            }
            return value;
        }

        private static String shown(String text) {
            return text == null ? "an empty cell" : "'" + text + "'";
        }
    }
}
