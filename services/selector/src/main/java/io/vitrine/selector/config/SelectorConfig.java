package io.vitrine.selector.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/** Configuration of the selector, under {@code vitrine.*}; documented in the README. */
@ConfigMapping(prefix = "vitrine")
public interface SelectorConfig {

    Topics topics();

    SchemaRegistry schemaRegistry();

    Prior prior();

    Encoder encoder();

    Selector selector();

    Events events();

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

    /** Prior used for scopes that have no published posterior yet; keep it equal to the learner's. */
    interface Prior {
        @WithDefault("1.0")
        double lambda();

        @WithDefault("2.0")
        double a0();

        @WithDefault("0.25")
        double b0();
    }

    interface Encoder {
        /** ONNX encoder file; when absent, the built-in default encoder is used. */
        Optional<Path> path();

        /** Layout of the built-in default encoder. */
        Default defaults();

        interface Default {
            @WithDefault("8")
            int contextFeatures();

            @WithDefault("8")
            int candidateFeatures();

            @WithDefault("32")
            int dimension();

            @WithDefault("1")
            long seed();
        }
    }

    interface Selector {
        /** Monte Carlo draws behind each logged propensity. */
        @WithDefault("256")
        int propensitySamples();

        /**
         * Share of decisions that show uniformly drawn candidates instead of Thompson's choice, in [0, 1). It
         * bounds every logged propensity below by {@code share k / K}, which keeps the decision log usable for
         * off-policy evaluation (docs/evaluation.md); 0 turns it off.
         */
        @WithDefault("0.05")
        double exploration();

        /** Largest candidate list a request may carry. */
        @WithDefault("500")
        int maxCandidates();

        /**
         * When set, the only slots requests may name; a request for another slot is refused (400 on HTTP, a
         * dead letter with reason unknown-slot on the topic path). Unset: any slot, new ones start from the prior.
         */
        Optional<Set<String>> knownSlots();

        /**
         * When set, the decision API ({@code /v1/decisions}, {@code /v1/events}) requires one of these keys in the
         * {@code X-Api-Key} header (401 otherwise). Unset: open. Give them through the environment
         * ({@code VITRINE_SELECTOR_API_KEYS=key1,key2}), not a file in the image.
         */
        Optional<Set<String>> apiKeys();

        /** Largest k a request may ask for. */
        @WithDefault("50")
        int maxK();

        /**
         * Slots whose candidates each get their own posterior over z (scope {@code slot#candidate@encoder});
         * the others share one posterior per slot, which lets new candidates start from their features.
         */
        Optional<Set<String>> perCandidateSlots();

        /**
         * The longest an HTTP decision or event batch waits for Kafka, the topic's metadata included (the
         * producers' {@code max.block.ms} and {@code delivery.timeout.ms}); then the answer is a 503. At least 100ms.
         */
        @WithDefault("5s")
        Duration logTimeout();

        /**
         * When an HTTP decision is answered. {@code after-log}: once Kafka acknowledged its log record, so that every
         * decision served is on {@code decisions} (no acknowledgement within {@link #logTimeout()}: a 503).
         * {@code before-log}: as soon as it is decided, its record sent behind the answer, which takes Kafka's
         * acknowledgement off the answer's time and can lose decisions that were served (docs/api.md, "When a
         * decision is answered"). Event batches and the topic path are not affected.
         */
        @WithDefault("after-log")
        DecisionAnswer decisionAnswer();

        /**
         * How long an HTTP request id is remembered: a retry with the same id and body within it gets the first
         * answer again (no second decision, no second log record), a different body under that id a 409.
         */
        @WithDefault("5m")
        Duration retryWindow();

        /** Most request ids remembered for retries; beyond it the oldest are forgotten first. */
        @WithDefault("100000")
        long retryWindowEntries();

        /**
         * Host the other selector instances reach this one at; with {@code quarkus.http.port} it is the Streams
         * {@code application.server}, by which an instance finds the owner of a request id and forwards the request
         * there. Set it to the pod IP on Kubernetes.
         */
        @WithDefault("localhost")
        String advertisedHost();

        /**
         * The longest a request forwarded to its request id's owner waits for the owner's answer; then it is answered
         * 503 (the owner may still decide it). An owner that cannot be reached is not waited for: this instance decides.
         * Keep it above {@link #logTimeout()}, so that an owner waiting for Kafka answers its own 503.
         */
        @WithDefault("6s")
        Duration forwardTimeout();

        /**
         * Serves {@code POST /v1/baseline}, an endpoint that reads the body and answers a constant: the HTTP
         * stack's own ceiling, which load tests measure in the same process as the decisions. Off: 404.
         */
        @WithDefault("false")
        boolean baselineEndpoint();
    }

    /** The HTTP event API ({@code POST /v1/events}). */
    interface Events {
        /** Most events one request may carry. */
        @WithDefault("1000")
        int maxBatch();

        /** How far ahead of the selector's clock an event's timestamp may be (clients' clocks drift). */
        @WithDefault("1m")
        Duration maxClockSkew();
    }

    /** When an HTTP decision is answered, relative to its log record ({@link Selector#decisionAnswer()}). */
    enum DecisionAnswer {
        /** After Kafka acknowledged the decision's log record: no decision served without its record. */
        AFTER_LOG,
        /** As soon as decided; the record follows. A record that then fails is a decision served but not logged. */
        BEFORE_LOG
    }
}
