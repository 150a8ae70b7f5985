package io.vitrine.learner.versions;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.vitrine.avro.EncoderServing;
import io.vitrine.avro.EncoderVersion;
import io.vitrine.avro.GateVerdict;
import io.vitrine.avro.PolicyEstimate;
import io.vitrine.avro.ServingReason;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Which versions keep learning: the serving one, its rollback targets and the next candidate; no other. */
class KeptVersionsTest {

    private static final Instant T0 = Instant.parse("2026-12-01T00:00:00Z");

    @Test
    void beforeAnyServingRecordTheNewestVersionNotRefusedByItsGateIsKept() {
        List<EncoderVersion> catalog = List.of(version("v1", 1, true), version("v2", 2, true),
                version("v3", 3, false));
        assertEquals(Set.of("v2"), KeptVersions.of(catalog, null, 2), "v3 refused by its gate, v1 superseded");
        assertEquals(Set.of(), KeptVersions.of(List.of(version("v1", 1, false)), null, 2));
    }

    @Test
    void theServingVersionItsRollbackTargetsAndTheNextCandidateAreKept() {
        List<EncoderVersion> catalog = new ArrayList<>();
        for (int i = 1; i <= 7; i++) {
            catalog.add(version("v" + i, i, i != 6));
        }
        EncoderServing serving = serving("v4", List.of("v3", "v2", "v1", "default"), List.of());
        assertEquals(Set.of("v4", "v3", "v2", "v7"), KeptVersions.of(catalog, serving, 2),
                "v1 beyond the rollback depth, v5 superseded by v7, v6 refused by its gate");
        assertEquals(Set.of("v4", "v3", "v7"), KeptVersions.of(catalog, serving, 1));
    }

    @Test
    void aVersionAnOperatorRefusedIsNotTheNextCandidate() {
        List<EncoderVersion> catalog = List.of(version("v1", 1, true), version("v2", 2, true),
                version("v3", 3, true));
        EncoderServing serving = serving("v1", List.of("default"), List.of("v3"));
        assertEquals(Set.of("v1", "default", "v2"), KeptVersions.of(catalog, serving, 2));
    }

    @Test
    void afterARollbackTheNewerVersionsAreCandidatesAgainUnlessRefused() {
        List<EncoderVersion> catalog = List.of(version("v1", 1, true), version("v2", 2, true));
        EncoderServing rolledBack = serving("v1", List.of(), List.of("v2"));
        assertEquals(Set.of("v1"), KeptVersions.of(catalog, rolledBack, 2), "v2 was rolled back from: refused");
        EncoderServing forced = serving("v2", List.of("v1"), List.of());
        assertEquals(Set.of("v2", "v1"), KeptVersions.of(catalog, forced, 2));
    }

    private static EncoderVersion version(String name, int minutes, boolean passed) {
        PolicyEstimate none = new PolicyEstimate(0.0, 0.0, 0.0, 0.0, 0.0, 0.0);
        return EncoderVersion.newBuilder().setVersion(name).setCreatedAt(T0.plusSeconds(60L * minutes))
                .setContextFeatures(1).setCandidateFeatures(1).setDimension(3).setOnnx(ByteBuffer.allocate(0))
                .setSha256("").setGate(GateVerdict.newBuilder().setPromote(passed).setAgainst("default")
                        .setRounds(500).setMargin(0.01).setCandidate(none).setServing(none).setDifference(none)
                        .setReason("test").setDecidedAt(T0).build())
                .build();
    }

    private static EncoderServing serving(String version, List<String> previous, List<String> refused) {
        return EncoderServing.newBuilder().setVersion(version).setPrevious(previous).setPinned(false)
                .setRefused(refused).setReason(ServingReason.GATE).setActor("gate").setChangedAt(T0).build();
    }
}
