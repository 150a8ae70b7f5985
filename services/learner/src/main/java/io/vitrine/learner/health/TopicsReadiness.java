package io.vitrine.learner.health;

import io.smallrye.common.annotation.Identifier;
import io.vitrine.learner.config.LearnerConfig;
import io.vitrine.schemas.TopicCheck;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;
import org.jboss.logging.Logger;

/**
 * Every topic Vitrine uses exists with what the learner relies on (the cleanup policy of the compacted topics, room
 * for an encoder version; any partition count). Checked at most once a minute, not on every probe; each problem is
 * logged once with its fix, and named in the health answer.
 */
@Readiness
@ApplicationScoped
public class TopicsReadiness implements HealthCheck {

    private static final Logger LOG = Logger.getLogger(TopicsReadiness.class);
    private static final Duration RECHECK = Duration.ofMinutes(1);

    private final Admin admin;
    private final String prefix;
    private List<String> problems = List.of();
    private String failure;
    private Instant checkedAt = Instant.EPOCH;

    public TopicsReadiness(LearnerConfig config, @Identifier("default-kafka-broker") Map<String, Object> kafka) {
        Map<String, Object> settings = new HashMap<>();
        AdminClientConfig.configNames().stream().filter(kafka::containsKey).forEach(k -> settings.put(k, kafka.get(k)));
        settings.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 10_000);
        settings.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 10_000);
        this.admin = Admin.create(settings);
        this.prefix = config.topics().prefix();
    }

    @Override
    public synchronized HealthCheckResponse call() {
        if (Duration.between(checkedAt, Instant.now()).compareTo(RECHECK) >= 0 || !problems.isEmpty()
                || failure != null) {
            check();
        }
        var response = HealthCheckResponse.named("kafka-topics").status(problems.isEmpty() && failure == null);
        if (failure != null) {
            response.withData("error", failure);
        }
        for (int i = 0; i < problems.size(); i++) {
            response.withData("problem-" + (i + 1), problems.get(i));
        }
        return response.build();
    }

    private void check() {
        checkedAt = Instant.now();
        try {
            List<String> found = TopicCheck.problems(admin, prefix, null, 1);
            for (String problem : found) {
                if (!problems.contains(problem)) {
                    LOG.warnf("topic check: %s", problem);
                }
            }
            problems = found;
            failure = null;
        } catch (IllegalStateException e) {
            failure = e.getMessage();
        }
    }

    @PreDestroy
    void close() {
        admin.close(Duration.ofSeconds(5));
    }
}
