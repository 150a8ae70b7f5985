package io.vitrine.learner.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;

/** Configuration of the learner, under {@code vitrine.*}; documented in the README. */
@ConfigMapping(prefix = "vitrine")
public interface LearnerConfig {

    Topics topics();

    SchemaRegistry schemaRegistry();

    Prior prior();

    Learner learner();

    Admin admin();

    Console console();

    /** The site's own events, read from its topics through a declared field mapping. */
    Mapping mapping();

    /**
     * A site's existing JSON events read as impressions, clicks and reward values, besides Vitrine's own topics: per
     * kind, the topic and a JSON pointer (RFC 6901) per field (docs/api.md, "Mapping a site's existing events").
     */
    interface Mapping {
        /** Events that become impressions. */
        EventMapping impression();

        /** Events that become clicks (with a value when {@code value} or {@code constant-value} is set). */
        EventMapping click();

        /** Events that report a reward value (a booking, revenue): clicks with a value, which they must have. */
        EventMapping value();
    }

    /** The mapping of one kind of event; unset {@code topic}: not mapped. */
    interface EventMapping {
        /** The topic of the site's events; several kinds may share one (then each needs {@code kind-pointer}). */
        Optional<String> topic();

        /** JSON pointer of the request id (the decision's), e.g. {@code /page/view_id}. */
        Optional<String> requestId();

        /** JSON pointer of the candidate shown or clicked. */
        Optional<String> candidateId();

        /** JSON pointer of the event's time, written in {@code time-format}. */
        Optional<String> timestamp();

        /** {@code epoch-millis}, {@code epoch-seconds} or {@code iso-8601} (with an offset). */
        @WithDefault("epoch-millis")
        io.vitrine.learner.streams.TimeFormat timeFormat();

        /** JSON pointer of the field that tells which kind of event a record is (e.g. {@code /event}). */
        Optional<String> kindPointer();

        /** The texts at {@code kind-pointer} that mean this kind; other records are counted and skipped. */
        Optional<java.util.List<String>> kindValues();

        /** JSON pointer of the value (a number, or a text that {@code value-map} turns into one). */
        Optional<String> value();

        /** The value of each text found at {@code value}, e.g. {@code value-map.purchase=1}. */
        Map<String, Double> valueMap();

        /** The same value for every event of this kind (e.g. 1 for every booking). */
        OptionalDouble constantValue();
    }

    /** The live console ({@code /console/}, {@code /v1/console}). */
    interface Console {
        /** How often the console's server-sent events carry a new snapshot. */
        @WithDefault("1s")
        Duration interval();

        /** How far back (impression time, per slot) the console's charts reach. */
        @WithDefault("5m")
        Duration window();

        /**
         * How many records per partition of the rewards and decisions topics the console reads back when it starts
         * following them.
         */
        @WithDefault("10000")
        long history();

        /**
         * When the console follows the rewards and decisions topics: {@code when-watched} while someone uses it
         * (the page, its snapshot or events, a decision by request id, within {@link #idleAfter}) or a slot is in
         * apprentice mode; {@code always} from the start.
         */
        @WithDefault("when-watched")
        Follow follow();

        /** With {@code follow=when-watched}: how long after the console's last use it stops reading the topics. */
        @WithDefault("5m")
        Duration idleAfter();

        enum Follow {
            /** Read the topics from the learner's start, whether or not anyone looks. */
            ALWAYS,
            /**
             * Read them only while the console is used or a slot is in apprentice mode: at a high event rate, decoding
             * every decision and reward a second time for charts nobody looks at costs the learner CPU its joins
             * need. On each start the console reads back up to {@link #history} records per partition.
             */
            WHEN_WATCHED
        }
    }

    /** The admin API ({@code /v1/admin}); its tokens are configured under {@code mp.jwt.verify.*}. */
    interface Admin {
        /** The longest an admin action waits for Kafka to take its state and audit event; then a 503. */
        @WithDefault("10s")
        java.time.Duration timeout();
    }

    interface Topics {
        /** Prefix of every topic name. */
        @WithDefault("vitrine.")
        String prefix();
    }

    interface SchemaRegistry {
        /** Apicurio registry URL; empty means registry-less single-object Avro. */
        Optional<String> url();

        /** Extra {@code apicurio.registry.*} settings passed to the serdes. */
        Map<String, String> properties();
    }

    /** Normal-Inverse-Gamma prior: beta | s2 ~ N(0, s2/lambda I), s2 ~ InvGamma(a0, b0). */
    interface Prior {
        @WithDefault("1.0")
        double lambda();

        @WithDefault("2.0")
        double a0();

        @WithDefault("0.25")
        double b0();
    }

    interface Learner {
        /** A click counts when it comes within this time after the impression. */
        @WithDefault("30s")
        Duration attributionWindow();

        /**
         * A window closes this long (event time) after its end, so that a click inside the window that reaches
         * the join after events with later timestamps (another partition's, or through a repartition topic) still
         * counts. Every reward is emitted this much later.
         */
        @WithDefault("1s")
        Duration allowedLateness();

        /**
         * When a click's reward is emitted: {@code window-end} (with the same delay as a non-click, unbiased) or
         * {@code click} (at once, a window sooner, biased towards what was shown most recently).
         */
        @WithDefault("window-end")
        io.vitrine.learner.streams.ClickRewardTiming clickRewardAt();

        /** The reward of a window that ends without a click. */
        @WithDefault("0")
        double defaultReward();

        /** How a click and the value it reported (a booking, revenue, dwell time) make a reward. */
        RewardRuleConfig rewardRule();

        /** How long a decision waits for its impressions before it is forgotten. */
        @WithDefault("1h")
        Duration decisionRetention();

        /** Posterior snapshots of changed scopes are published at most this often. */
        @WithDefault("1s")
        Duration publishInterval();

        /**
         * A task that has been quiet for this long closes its due windows by wall clock (its stream time
         * extrapolated by the quiet time), so that no-click rewards are not held back indefinitely. Quiet: no event,
         * while its stream thread ran and its consumer was known to be caught up (no records of its input partitions
         * waiting on the broker, and a fetch completed since the previous tick: a task without a broker is not quiet).
         */
        @WithDefault("5s")
        Duration idleCloseDelay();

        /**
         * An impression that arrives before its decision, or a click before its impression, waits
         * this long for it, in event time and as long in running time, before it is dropped and counted.
         */
        @WithDefault("30s")
        Duration holdGrace();

        /**
         * Exponential forgetting: the weight of a reward halves after this many later rewards of
         * its scope, so drifting click rates are tracked. Unset: no forgetting.
         */
        OptionalDouble halfLifeEvents();

        /**
         * Host name or address the other learner instances reach this one's HTTP port at; with the port it
         * is the Streams {@code application.server}, used to proxy posterior queries to the scope's owner.
         */
        @WithDefault("localhost")
        String advertisedHost();

        Versions versions();
    }

    /**
     * A clicked window's reward: {@code combine} of {@code click-weight} and {@code value-weight} times the largest
     * value its clicks reported; values outside [{@code min-value}, {@code max-value}] become dead letters.
     */
    interface RewardRuleConfig {
        /** {@code max} (the larger term) or {@code weighted-sum} (both terms added). */
        @WithDefault("max")
        io.vitrine.learner.streams.RewardRule.Combine combine();

        @WithDefault("1")
        double clickWeight();

        @WithDefault("1")
        double valueWeight();

        @WithDefault("0")
        double minValue();

        @WithDefault("1")
        double maxValue();
    }

    /** The encoder versions the learner keeps learning besides the serving one. */
    interface Versions {
        /**
         * How many versions served before the serving one keep learning, so that a rollback serves an up-to-date
         * posterior at once; older ones are retired (their applications stop).
         */
        @WithDefault("2")
        int rollbackDepth();
    }
}
