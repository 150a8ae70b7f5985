package io.vitrine.service.encoders;

import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ListOffsetsResult;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;

/**
 * How far the learner's rebuild of an encoder version has gone, from Kafka alone: the version's Streams
 * application (group {@code <learner application id>-v-<version>}) must commit, on every partition of the rewards
 * topic, the offset of the first reward at or after the version's creation. Learner and trainer compute the same
 * answer from the group's committed offsets, without talking to each other.
 */
public final class RebuildProgress {

    private final Admin admin;
    private final String rewardsTopic;

    public RebuildProgress(Admin admin, String rewardsTopic) {
        this.admin = admin;
        this.rewardsTopic = rewardsTopic;
    }

    /** The Streams application (and consumer group) id that learns {@code version}. */
    public static String applicationId(String learnerApplicationId, String version) {
        return learnerApplicationId + "-v-" + version.replaceAll("[^A-Za-z0-9._-]", "_");
    }

    /** Per partition of the rewards topic, the offset of its first reward at or after {@code createdAt}, or its end. */
    public Map<TopicPartition, Long> targetOffsets(Instant createdAt) {
        try {
            var partitions = admin.describeTopics(List.of(rewardsTopic)).allTopicNames().get(30, TimeUnit.SECONDS)
                    .get(rewardsTopic).partitions();
            Map<TopicPartition, OffsetSpec> byTime = new HashMap<>();
            Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
            for (var p : partitions) {
                TopicPartition tp = new TopicPartition(rewardsTopic, p.partition());
                byTime.put(tp, OffsetSpec.forTimestamp(createdAt.toEpochMilli()));
                latest.put(tp, OffsetSpec.latest());
            }
            Map<TopicPartition, ListOffsetsResult.ListOffsetsResultInfo> atTime = admin.listOffsets(byTime).all()
                    .get(30, TimeUnit.SECONDS);
            Map<TopicPartition, ListOffsetsResult.ListOffsetsResultInfo> atEnd = admin.listOffsets(latest).all()
                    .get(30, TimeUnit.SECONDS);
            Map<TopicPartition, Long> target = new HashMap<>();
            for (TopicPartition tp : byTime.keySet()) {
                long offset = atTime.get(tp).offset();
                target.put(tp, offset >= 0 ? offset : atEnd.get(tp).offset());
            }
            return target;
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("cannot read the offsets of " + rewardsTopic + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while reading the offsets of " + rewardsTopic, e);
        }
    }

    /** Rewards the group still has to read to reach {@code target}; empty when the broker does not answer. */
    public OptionalLong behind(String groupId, Map<TopicPartition, Long> target) {
        try {
            Map<TopicPartition, OffsetAndMetadata> committed = admin.listConsumerGroupOffsets(groupId)
                    .partitionsToOffsetAndMetadata().get(10, TimeUnit.SECONDS);
            long behind = 0;
            for (var entry : target.entrySet()) {
                OffsetAndMetadata at = committed.get(entry.getKey());
                behind += Math.max(0, entry.getValue() - (at == null ? 0 : at.offset()));
            }
            return OptionalLong.of(behind);
        } catch (ExecutionException | TimeoutException e) {
            return OptionalLong.empty();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return OptionalLong.empty();
        }
    }
}
