package io.vitrine.schemas;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.vitrine.avro.AdminAudit;
import io.vitrine.avro.Candidate;
import io.vitrine.avro.ChosenCandidate;
import io.vitrine.avro.Click;
import io.vitrine.avro.DeadLetter;
import io.vitrine.avro.Decision;
import io.vitrine.avro.DecisionRequest;
import io.vitrine.avro.EncoderServing;
import io.vitrine.avro.EncoderVersion;
import io.vitrine.avro.Impression;
import io.vitrine.avro.PosteriorSnapshot;
import io.vitrine.avro.PosteriorStatistics;
import io.vitrine.avro.Reward;
import io.vitrine.avro.SlotControl;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.apache.avro.Schema;
import org.apache.avro.SchemaCompatibility;
import org.apache.avro.SchemaCompatibility.SchemaCompatibilityType;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.Test;

/** Every schema on the wire is released in the tree, and each change stays BACKWARD compatible. */
class SchemaHistoryTest {

    static Stream<Schema> currentSchemas() {
        return Stream.of(Candidate.SCHEMA$, ChosenCandidate.SCHEMA$, Click.SCHEMA$, DeadLetter.SCHEMA$,
                Decision.SCHEMA$, DecisionRequest.SCHEMA$, EncoderServing.SCHEMA$, EncoderVersion.SCHEMA$, Impression.SCHEMA$, PosteriorSnapshot.SCHEMA$,
                PosteriorStatistics.SCHEMA$, Reward.SCHEMA$, SlotControl.SCHEMA$, AdminAudit.SCHEMA$);
    }

    @ParameterizedTest
    @MethodSource("currentSchemas")
    void currentSchemaIsTheNewestReleasedVersion(Schema current) throws IOException {
        List<Schema> versions = SchemaHistory.versions(current.getName());
        // Compare the full JSON: Schema.equals can miss a change inside a nested record.
        if (versions.isEmpty() || !versions.get(versions.size() - 1).toString().equals(current.toString())) {
            // Write the candidate so that releasing the change is one copy.
            Path candidate = Path.of("target", "schema-candidates", current.getName(), "v" + (versions.size() + 1) + ".avsc");
            Files.createDirectories(candidate.getParent());
            Files.writeString(candidate, current.toString(true) + "\n");
            fail(current.getName() + " changed without a released version: check its compatibility, then copy "
                    + candidate.toAbsolutePath() + " to schemas/versions/" + current.getName() + "/");
        }
    }

    @ParameterizedTest
    @MethodSource("currentSchemas")
    void currentSchemaReadsEveryReleasedVersion(Schema current) {
        for (Schema writer : SchemaHistory.versions(current.getName())) {
            var result = SchemaCompatibility.checkReaderWriterCompatibility(current, writer);
            assertEquals(SchemaCompatibilityType.COMPATIBLE, result.getType(),
                    () -> current.getName() + " cannot read a released version: " + result.getDescription());
        }
    }

    @ParameterizedTest
    @MethodSource("currentSchemas")
    void everyReleasedVersionReadsTheOneBefore(Schema current) {
        List<Schema> versions = SchemaHistory.versions(current.getName());
        for (int v = 1; v < versions.size(); v++) {
            var result = SchemaCompatibility.checkReaderWriterCompatibility(versions.get(v), versions.get(v - 1));
            assertEquals(SchemaCompatibilityType.COMPATIBLE, result.getType(), result.getDescription());
        }
    }

    @Test
    void compatibilityCheckRejectsANewFieldWithoutDefault() {
        Schema v1 = SchemaHistory.versions("Click").get(0);
        Schema breaking = new Schema.Parser().parse("""
                {"type": "record", "name": "Click", "namespace": "io.vitrine.avro", "fields": [
                  {"name": "requestId", "type": "string"},
                  {"name": "candidateId", "type": "string"},
                  {"name": "timestamp", "type": {"type": "long", "logicalType": "timestamp-millis"}},
                  {"name": "position", "type": "int"}
                ]}""");
        var result = SchemaCompatibility.checkReaderWriterCompatibility(breaking, v1);
        assertEquals(SchemaCompatibilityType.INCOMPATIBLE, result.getType());
        Schema evolved = new Schema.Parser().parse(breaking.toString().replace(
                "{\"name\":\"position\",\"type\":\"int\"}", "{\"name\":\"position\",\"type\":\"int\",\"default\":0}"));
        assertTrue(evolved.toString().contains("\"default\":0"));
        assertEquals(SchemaCompatibilityType.COMPATIBLE,
                SchemaCompatibility.checkReaderWriterCompatibility(evolved, v1).getType());
    }

    @Test
    void unknownRecordHasNoReleasedVersions() {
        assertFalse(SchemaHistory.versions("NoSuchRecord").iterator().hasNext());
    }
}
