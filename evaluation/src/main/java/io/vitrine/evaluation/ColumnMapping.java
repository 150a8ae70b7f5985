package io.vitrine.evaluation;

import java.util.List;
import java.util.Optional;

/**
 * Which columns (CSV, Parquet) or fields (JSON Lines, Avro) of a log file hold what. Defaults follow the common
 * public layout of logged bandit feedback (for example the Open Bandit Dataset: {@code timestamp, item_id,
 * position, click, propensity_score, user_feature_0.., user-item_affinity_0..}). Columns the mapping does not
 * name (a pandas index column, timestamps, affinities) are not read.
 *
 * @param action         the action taken: an integer id from 0
 * @param reward         the reward (a click is 0 or 1)
 * @param propensity     the logging policy's probability of the action, in (0, 1]
 * @param position       where the action was shown (a slot or rank); a log without this column has one slot
 * @param contextPrefix  every column whose name starts with it is a context feature, in file order
 * @param contextColumns explicit context feature columns (used instead of the prefix when not empty)
 * @param actions        size of the action set; empty: the largest action id in the file (or the item file) plus one
 */
public record ColumnMapping(String action, String reward, String propensity, String position, String contextPrefix,
                            List<String> contextColumns, Optional<Integer> actions) {

    public ColumnMapping {
        contextColumns = List.copyOf(contextColumns);
    }

    /** The public layout's names. */
    public static ColumnMapping publicLayout() {
        return new ColumnMapping("item_id", "click", "propensity_score", "position", "user_feature_", List.of(),
                Optional.empty());
    }
}
