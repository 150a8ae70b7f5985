package io.vitrine.evaluation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.vitrine.avro.Candidate;
import io.vitrine.avro.Decision;
import io.vitrine.avro.Reward;
import io.vitrine.kafka.SharedLocalKafka;
import io.vitrine.schemas.AvroArrays;
import io.vitrine.schemas.Topic;
import io.vitrine.schemas.WireFormat;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.avro.Schema;
import org.apache.avro.SchemaBuilder;
import org.apache.avro.file.DataFileWriter;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.generic.GenericRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code vitrine evaluate} on Vitrine's own logs: decisions and rewards in Avro container files and on the topics
 * of a real broker, joined, and scored by target policies including Vitrine's shared form.
 */
class VitrineLogEvaluationTest {

    @TempDir
    Path dir;

    private static EvaluateRun evaluate(String... args) {
        return EvaluateRun.of(args);
    }

    private static Map<String, Map<String, JsonNode>> estimates(Path json) throws Exception {
        Map<String, Map<String, JsonNode>> byPolicy = new HashMap<>();
        for (JsonNode policy : new ObjectMapper().readTree(json.toFile()).get("policies")) {
            Map<String, JsonNode> byEstimator = new HashMap<>();
            policy.get("estimates").forEach(e -> byEstimator.put(e.get("estimator").asText(), e));
            byPolicy.put(policy.get("policy").asText(), byEstimator);
        }
        return byPolicy;
    }

    @Test
    void avroFilesOfDecisionsAndRewardsAreJoinedAndVitrineIsEstimatedAboveUniform() throws Exception {
        VitrineLogs logs = VitrineLogs.simulate(3_000, 4);
        // Left out of the join and counted: a reward whose decision is missing, and the reward of a slate.
        float[] context = new float[8];
        List<Candidate> two = logs.decisions.get(0).getCandidates().subList(0, 2);
        logs.add("slate-1", VitrineLogs.START, context, two, 2, 0, 1.0, 1);
        logs.rewards.add(Reward.newBuilder(logs.rewards.get(0)).setRequestId("no-such-decision").build());
        Path decisions = dir.resolve("decisions.avro");
        Path rewards = dir.resolve("rewards.avro");
        VitrineLogs.write(decisions, logs.decisions);
        VitrineLogs.write(rewards, logs.rewards);
        Path json = dir.resolve("estimates.json");

        EvaluateRun run = evaluate(decisions.toString(), rewards.toString(), "--policy",
                "uniform,logging,vitrine[draws=100,exploration=0]", "--replicates", "100", "--json", json.toString());
        assertEquals(0, run.exit(), run.err());
        JsonNode output = new ObjectMapper().readTree(json.toFile());
        assertEquals(3_000, output.get("rounds").asInt());
        assertEquals(2, output.get("skipped").asInt());
        assertTrue(output.get("skipReasons").toString().contains("reward without its decision"), output.toString());
        assertTrue(output.get("skipReasons").toString().contains("slate"), output.toString());

        Map<String, Map<String, JsonNode>> estimates = estimates(json);
        double meanReward = logs.rewards.subList(0, 3_000).stream().mapToDouble(Reward::getReward).average()
                .orElseThrow();
        assertEquals(meanReward, estimates.get("logging").get("IPS").get("value").asDouble(), 1e-9);
        JsonNode uniform = estimates.get("uniform").get("IPS");
        assertTrue(uniform.get("low").asDouble() <= VitrineLogs.UNIFORM_VALUE
                && VitrineLogs.UNIFORM_VALUE <= uniform.get("high").asDouble(), uniform.toString());
        String vitrine = estimates.keySet().stream().filter(p -> p.startsWith("vitrine(")).findFirst().orElseThrow();
        // Learning from the log, Vitrine's shared form finds the much better candidate: far above uniform.
        for (String estimator : List.of("IPS", "SNIPS", "doubly robust")) {
            JsonNode e = estimates.get(vitrine).get(estimator);
            assertTrue(e.get("low").asDouble() > VitrineLogs.UNIFORM_VALUE + 0.05, estimator + " " + e);
        }
    }

    @Test
    void flatAvroFilesAreReadThroughTheColumnMappingLikeCsv() throws Exception {
        Path csv = dir.resolve("open-bandit.csv");
        PublicLayoutFile.write(csv, 1_000);
        List<String> lines = Files.readAllLines(csv);
        Schema schema = SchemaBuilder.record("Round").fields()
                .requiredInt("item_id").requiredInt("click").requiredDouble("propensity_score")
                .requiredDouble("user_feature_0").requiredDouble("user_feature_1").requiredDouble("user_feature_2")
                .endRecord();
        Path avro = dir.resolve("open-bandit.avro");
        try (DataFileWriter<GenericRecord> writer = new DataFileWriter<>(new GenericDatumWriter<>(schema))) {
            writer.create(schema, avro.toFile());
            for (String line : lines.subList(1, lines.size())) {
                String[] v = line.split(",");
                GenericRecord r = new GenericData.Record(schema);
                r.put("item_id", Integer.parseInt(v[1]));
                r.put("click", Integer.parseInt(v[3]));
                r.put("propensity_score", Double.parseDouble(v[4]));
                r.put("user_feature_0", Double.parseDouble(v[5]));
                r.put("user_feature_1", Double.parseDouble(v[6]));
                r.put("user_feature_2", Double.parseDouble(v[7]));
                writer.append(r);
            }
        }
        Path fromCsv = dir.resolve("csv.json");
        Path fromAvro = dir.resolve("avro.json");
        assertEquals(0, evaluate(csv.toString(), "--policy", "uniform,always:1", "--json", fromCsv.toString()).exit());
        assertEquals(0, evaluate(avro.toString(), "--policy", "uniform,always:1", "--json", fromAvro.toString()).exit());
        Map<String, Map<String, JsonNode>> a = estimates(fromCsv);
        Map<String, Map<String, JsonNode>> b = estimates(fromAvro);
        for (String policy : List.of("uniform", "always:1")) {
            for (String estimator : List.of("IPS", "SNIPS", "replay")) {
                assertEquals(a.get(policy).get(estimator).get("value").asDouble(),
                        b.get(policy).get(estimator).get("value").asDouble(), 1e-6, policy + " / " + estimator);
            }
        }

        Schema missing = SchemaBuilder.record("Round").fields().requiredInt("item_id").requiredInt("click")
                .endRecord();
        Path broken = dir.resolve("broken.avro");
        try (DataFileWriter<GenericRecord> writer = new DataFileWriter<>(new GenericDatumWriter<>(missing))) {
            writer.create(missing, broken.toFile());
        }
        EvaluateRun run = evaluate(broken.toString());
        assertEquals(1, run.exit());
        assertTrue(run.err().contains("no field 'propensity_score'"), run.err());
        Path notAvro = dir.resolve("text.avro");
        Files.writeString(notAvro, "hello");
        run = evaluate(notAvro.toString());
        assertEquals(1, run.exit());
        assertTrue(run.err().contains("not an Avro container file"), run.err());
    }

    @Test
    void theTopicsAreReadOverATimeRange() throws Exception {
        String bootstrap = SharedLocalKafka.bootstrapServers();
        // Unique times so that earlier runs' records on the shared broker fall outside the range.
        Instant start = Instant.now().minus(Duration.ofHours(2)).truncatedTo(java.time.temporal.ChronoUnit.SECONDS);
        VitrineLogs logs = VitrineLogs.simulate(300, 9);
        Properties producerConfig = new Properties();
        producerConfig.put("bootstrap.servers", bootstrap);
        WireFormat wire = WireFormat.of(java.util.Optional.empty(), Map.of());
        Serializer<Decision> decisionSerializer = wire.serde(Decision.class).serializer();
        Serializer<Reward> rewardSerializer = wire.serde(Reward.class).serializer();
        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(producerConfig, new StringSerializer(),
                new org.apache.kafka.common.serialization.ByteArraySerializer())) {
            for (int t = 0; t < 300; t++) {
                Instant time = start.plusSeconds(10L * t);
                Decision d = Decision.newBuilder(logs.decisions.get(t)).setTimestamp(time).build();
                Reward r = Reward.newBuilder(logs.rewards.get(t)).setDecisionTimestamp(time).build();
                String decisionsTopic = Topic.DECISIONS.name(Topic.DEFAULT_PREFIX);
                String rewardsTopic = Topic.REWARDS.name(Topic.DEFAULT_PREFIX);
                producer.send(new ProducerRecord<>(decisionsTopic, null, time.toEpochMilli(), d.getRequestId(),
                        decisionSerializer.serialize(decisionsTopic, d)));
                producer.send(new ProducerRecord<>(rewardsTopic, null, time.plusSeconds(30).toEpochMilli(),
                        r.getScope(), rewardSerializer.serialize(rewardsTopic, r)));
            }
        }
        // Decisions 100..199: the range [start + 1000 s, start + 2000 s).
        Path json = dir.resolve("topics.json");
        EvaluateRun run = evaluate("--bootstrap-servers", bootstrap, "--topic-prefix", Topic.DEFAULT_PREFIX,
                "--from", start.plusSeconds(1_000).toString(), "--to", start.plusSeconds(2_000).toString(),
                "--reward-grace", "PT1M", "--policy", "logging", "--replicates", "50", "--json", json.toString());
        assertEquals(0, run.exit(), run.err());
        JsonNode output = new ObjectMapper().readTree(json.toFile());
        assertEquals(100, output.get("rounds").asInt(), run.err());
        double expected = logs.rewards.subList(100, 200).stream().mapToDouble(Reward::getReward).average()
                .orElseThrow();
        assertEquals(expected, estimates(json).get("logging").get("IPS").get("value").asDouble(), 1e-9);

        EvaluateRun empty = evaluate("--bootstrap-servers", bootstrap, "--from", start.toString(), "--to", start.toString());
        assertEquals(1, empty.exit());
        assertTrue(empty.err().contains("time range is empty"), empty.err());
    }
}
