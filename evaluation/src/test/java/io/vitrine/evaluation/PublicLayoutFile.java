package io.vitrine.evaluation;

import io.vitrine.core.bandit.Policies;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** Test logs in the common public layout, written from the click world under uniform logging. */
final class PublicLayoutFile {

    static final String HEADER = "timestamp,item_id,position,click,propensity_score,user_feature_0,"
            + "user_feature_1,user_feature_2,user-item_affinity_0,user-item_affinity_1,user-item_affinity_2,"
            + "user-item_affinity_3";

    private PublicLayoutFile() {
    }

    /** Writes {@code rows} uniformly logged rounds of a 4-action world to {@code file}; returns the world. */
    static LinearClickWorld write(Path file, int rows) throws Exception {
        LinearClickWorld world = new LinearClickWorld(4, 3, 5);
        List<LoggedRound> log = StudyPolicies.log(world, Policies.uniform(3), rows, 0, 0, 8);
        List<String> lines = new ArrayList<>(List.of(HEADER));
        for (int t = 0; t < log.size(); t++) {
            LoggedRound r = log.get(t);
            float[] x = r.context();
            lines.add(String.format(Locale.ROOT, "2019-11-24 00:00:%02d,%d,%d,%d,%.2f,%s,%s,%s,0.1,0.2,0.3,0.4",
                    t % 60, r.action(), 1 + t % 3, (int) r.reward(), r.propensity(), x[0], x[1], x[2]));
        }
        Files.write(file, lines);
        return world;
    }
}
