package io.vitrine.learner.versions;

import io.vitrine.avro.EncoderServing;
import io.vitrine.avro.EncoderVersion;
import java.time.Instant;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Which encoder versions the learner keeps learning; the others are retired (their applications stopped), since each
 * running version costs as much as the live learner on every reward. Kept: the serving version, the last
 * {@code rollbackDepth} versions served before it (a rollback serves an up-to-date posterior at once), and the newest
 * version published after the serving one that its gate did not refuse and no operator refused (the next to be
 * promoted; an older candidate still rebuilding is superseded by it). Before any serving record, the newest such
 * version is kept. A pure function of the catalog and the newest serving record, so every learner instance agrees.
 */
final class KeptVersions {

    private KeptVersions() {
    }

    /**
     * @param catalog every version on the encoders topic, in topic order
     * @param serving the newest serving record, or null before the first
     */
    static Set<String> of(List<EncoderVersion> catalog, EncoderServing serving, int rollbackDepth) {
        Set<String> kept = new LinkedHashSet<>();
        Instant servingCreated = Instant.EPOCH;
        List<String> refused = List.of();
        if (serving != null) {
            kept.add(serving.getVersion());
            serving.getPrevious().stream().limit(rollbackDepth).forEach(kept::add);
            refused = serving.getRefused();
            for (EncoderVersion v : catalog) {
                if (v.getVersion().equals(serving.getVersion())) {
                    servingCreated = v.getCreatedAt();
                }
            }
        }
        for (int i = catalog.size() - 1; i >= 0; i--) {
            EncoderVersion v = catalog.get(i);
            if (!v.getCreatedAt().isAfter(servingCreated)) {
                break;
            }
            boolean gatePassed = v.getGate() == null || v.getGate().getPromote();
            if (gatePassed && !refused.contains(v.getVersion())) {
                kept.add(v.getVersion());
                break;
            }
        }
        return kept;
    }
}
