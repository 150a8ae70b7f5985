package io.vitrine.cli.report;

import io.vitrine.cli.http.EncoderInfo;
import io.vitrine.cli.http.PosteriorSummary;
import io.vitrine.cli.sim.SimulationReport;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The JSON document a run leaves behind.
 *
 * @param command    the command that ran ({@code demo} or {@code simulate})
 * @param startedAt  ISO-8601 start time
 * @param settings   the options of the run
 * @param encoder    the selector's feature layout
 * @param report     what the simulator measured
 * @param posteriors the learner's posteriors at the end, one per scope (empty when the learner was not asked)
 * @param passed     false when too many requests or events failed
 */
public record RunRecord(String command, String startedAt, Map<String, Object> settings, EncoderInfo encoder,
                        SimulationReport report, List<PosteriorSummary> posteriors, boolean passed) {

    public RunRecord {
        settings = Collections.unmodifiableMap(new LinkedHashMap<>(settings));
        posteriors = List.copyOf(posteriors);
    }
}
