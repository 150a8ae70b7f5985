package io.vitrine.evaluation;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Estimates by slice of the log: by position, by segment column and by time bucket, to show where a target wins
 * and where it loses. Each slice is evaluated like the whole log, on its own rounds' scored terms (the reward
 * models stay those fitted on the whole log).
 * <p>
 * Positions follow the public data sets' convention: a logged row is one (round, position) pair and the position
 * is part of the context, so a row's estimate is the target's expected reward at that position, and the whole
 * page's is the sum over its positions (expected clicks per page of one action at each position). The page's
 * interval is the sum of the positions' ends: conservative, since the positions' errors do not all go the same
 * way.
 */
final class Slices {

    /** At most this many values of a dimension are reported; a dimension with more is left out and said so. */
    static final int MOST_VALUES = 50;

    /** One slice: its dimension, its value, its rounds and every target's report on them. */
    record SliceReport(String dimension, String value, int rounds, List<Evaluator.PolicyReport> policies) {
    }

    /** A target's whole-page estimates: the sums over the positions. */
    record PageReport(String policy, int positions, List<Evaluator.Estimate> estimates) {
    }

    private Slices() {
    }

    /** The dimensions to slice by: the position (when the log has two or more), then those read with the log. */
    static Map<String, String[]> dimensions(List<LoggedRound> rounds, Map<String, String[]> read) {
        Map<String, String[]> dimensions = new LinkedHashMap<>();
        String[] positions = new String[rounds.size()];
        boolean any = false;
        for (int t = 0; t < positions.length; t++) {
            positions[t] = rounds.get(t).slot();
            any |= positions[t] != null;
        }
        if (any && java.util.Arrays.stream(positions).distinct().count() > 1) {
            dimensions.put("position", positions);
        }
        dimensions.putAll(read);
        return dimensions;
    }

    /**
     * Every target on every slice. A dimension with more than {@value #MOST_VALUES} values is left out; its name
     * is added to {@code skipped}.
     */
    static List<SliceReport> evaluate(Evaluator evaluator, Map<String, String[]> dimensions, List<String> policies,
                                      List<ScoredRound[]> scored, long seed, List<String> skipped) {
        List<SliceReport> reports = new ArrayList<>();
        for (Map.Entry<String, String[]> dimension : dimensions.entrySet()) {
            // Each value's rounds as an int array: a million rounds would otherwise be a million boxed indices.
            Map<String, int[]> members = new TreeMap<>(Slices::naturalOrder);
            String[] labels = dimension.getValue();
            for (String label : labels) {
                members.computeIfAbsent(label == null ? "(none)" : label, k -> new int[1])[0]++;
            }
            if (members.size() > MOST_VALUES) {
                skipped.add(dimension.getKey() + " (" + members.size() + " values, at most " + MOST_VALUES + ")");
                continue;
            }
            Map<String, int[]> indices = new java.util.HashMap<>();
            Map<String, int[]> filled = new java.util.HashMap<>();
            members.forEach((value, count) -> {
                indices.put(value, new int[count[0]]);
                filled.put(value, new int[1]);
            });
            for (int t = 0; t < labels.length; t++) {
                String value = labels[t] == null ? "(none)" : labels[t];
                indices.get(value)[filled.get(value)[0]++] = t;
            }
            for (String value : members.keySet()) {
                int[] rounds = indices.get(value);
                List<Evaluator.PolicyReport> byPolicy = new ArrayList<>();
                for (int p = 0; p < policies.size(); p++) {
                    ScoredRound[] subset = new ScoredRound[rounds.length];
                    for (int i = 0; i < rounds.length; i++) {
                        subset[i] = scored.get(p)[rounds[i]];
                    }
                    byPolicy.add(evaluator.evaluate(policies.get(p), subset, seed));
                }
                reports.add(new SliceReport(dimension.getKey(), value, rounds.length, byPolicy));
            }
        }
        return reports;
    }

    /** The whole page's estimates per target, from the position slices; empty without positions. */
    static List<PageReport> page(List<SliceReport> slices, List<String> policies) {
        List<SliceReport> positions = slices.stream().filter(s -> s.dimension().equals("position")).toList();
        List<PageReport> pages = new ArrayList<>();
        if (positions.isEmpty()) {
            return pages;
        }
        for (int p = 0; p < policies.size(); p++) {
            List<Evaluator.Estimate> first = positions.get(0).policies().get(p).estimates();
            List<Evaluator.Estimate> sums = new ArrayList<>();
            for (int e = 0; e < first.size(); e++) {
                double value = 0;
                double low = 0;
                double high = 0;
                String untrusted = null;
                for (SliceReport position : positions) {
                    Evaluator.Estimate estimate = position.policies().get(p).estimates().get(e);
                    value += estimate.value();
                    low += estimate.low();
                    high += estimate.high();
                    if (estimate.untrusted() != null && untrusted == null) {
                        untrusted = "position " + position.value() + ": " + estimate.untrusted();
                    }
                }
                sums.add(new Evaluator.Estimate(policies.get(p), first.get(e).estimator(), value, low, high,
                        untrusted));
            }
            pages.add(new PageReport(policies.get(p), positions.size(), sums));
        }
        return pages;
    }

    /** Numbers in numeric order (positions 1, 2, 10), other text alphabetically after them. */
    private static int naturalOrder(String a, String b) {
        double x = LogReader.number(a);
        double y = LogReader.number(b);
        if (!Double.isNaN(x) && !Double.isNaN(y)) {
            return x != y ? Double.compare(x, y) : a.compareTo(b);
        }
        if (!Double.isNaN(x) || !Double.isNaN(y)) {
            return Double.isNaN(x) ? 1 : -1;
        }
        return a.compareTo(b);
    }
}
