package io.vitrine.quality;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Results aggregated per (group, policy) over seeds.
 *
 * @param group          table column, e.g. {@code wheel δ=0.90}
 * @param policy         table row
 * @param runs           seeds aggregated
 * @param normalised     100 * regret / regret of {@value #UNIFORM} on the same seed (the paper's metric)
 * @param regret         cumulative regret
 * @param ratio          expected reward relative to the oracle over the whole run
 * @param finalRatio     expected reward relative to the oracle in the last curve window
 * @param seconds        wall-clock seconds per run
 */
public record Summary(String group, String policy, int runs, Stats normalised, Stats regret, Stats ratio,
                      Stats finalRatio, Stats seconds) {

    /** The policy every regret is normalised by; its name in the tasks must be exactly this. */
    public static final String UNIFORM = "Uniform";

    /**
     * 100 * regret / regret of the uniform policy on the same group and seed; NaN when that run is
     * missing or had no regret.
     */
    public static double normalised(RunResult result, List<RunResult> all) {
        for (RunResult other : all) {
            if (other.policy().equals(UNIFORM) && other.group().equals(result.group())
                    && other.seed() == result.seed()) {
                return other.regret() > 0 ? 100 * result.regret() / other.regret() : Double.NaN;
            }
        }
        return Double.NaN;
    }

    /** One summary per (group, policy), in the order they first appear in {@code results}. */
    public static List<Summary> of(List<RunResult> results) {
        Map<List<String>, List<RunResult>> cells = new LinkedHashMap<>();
        for (RunResult result : results) {
            cells.computeIfAbsent(List.of(result.group(), result.policy()), k -> new ArrayList<>()).add(result);
        }
        List<Summary> summaries = new ArrayList<>();
        for (Map.Entry<List<String>, List<RunResult>> cell : cells.entrySet()) {
            List<RunResult> runs = cell.getValue();
            summaries.add(new Summary(cell.getKey().get(0), cell.getKey().get(1), runs.size(),
                    Stats.of(runs.stream().mapToDouble(r -> normalised(r, results)).toArray()),
                    Stats.of(runs.stream().mapToDouble(RunResult::regret).toArray()),
                    Stats.of(runs.stream().mapToDouble(RunResult::ratio).toArray()),
                    Stats.of(runs.stream().mapToDouble(RunResult::finalRatio).toArray()),
                    Stats.of(runs.stream().mapToDouble(r -> r.millis() / 1000.0).toArray())));
        }
        return summaries;
    }
}
