package io.vitrine.e2e;

import io.vitrine.kafka.SharedLocalKafka;
import io.vitrine.cli.stack.Ports;
import io.vitrine.cli.stack.RepoHome;
import io.vitrine.schemas.Topic;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import java.util.Optional;

/**
 * One test's own Vitrine: every topic under a fresh prefix on the test JVM's broker, and the packaged services
 * started on it as processes, their state and logs under {@code e2e/target/<prefix>d}.
 *
 * @param bootstrap the broker
 * @param prefix    the topic prefix of this run (also what makes the Streams application ids its own)
 * @param home      root of the source tree (holds the packaged services)
 * @param work      state directories and logs
 */
public record ServiceRun(String bootstrap, String prefix, Path home, Path work) {

    /** A run named {@code name} with its topics created and led. */
    public static ServiceRun fresh(String name) throws Exception {
        return fresh(name, Map.of());
    }

    /** A run whose topics in {@code partitions} have those partition counts instead of the registry's. */
    public static ServiceRun fresh(String name, Map<Topic, Integer> partitions) throws Exception {
        String bootstrap = SharedLocalKafka.bootstrapServers();
        String prefix = name + "-" + System.nanoTime() + ".";
        if (!partitions.isEmpty()) {
            try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap))) {
                admin.createTopics(partitions.entrySet().stream()
                        .map(e -> new NewTopic(e.getKey().name(prefix), e.getValue(), (short) 1)).toList())
                        .all().get(30, TimeUnit.SECONDS);
            }
        }
        LearnerInput.createTopics(bootstrap, prefix);
        Path home = RepoHome.locate(Optional.empty());
        return new ServiceRun(bootstrap, prefix, home, home.resolve("e2e/target/" + prefix + "d"));
    }

    /** A learner of this run on a free port; {@code properties} are extra {@code -Dkey=value} settings. */
    public ServiceProcess learner(String name, List<String> properties) {
        return service(name, "services/learner/target/quarkus-app/quarkus-run.jar", properties);
    }

    /** A trainer of this run on a free port. */
    public ServiceProcess trainer(String name, List<String> properties) {
        return service(name, "services/trainer/target/quarkus-app/quarkus-run.jar", properties);
    }

    /** A selector of this run on a free port. */
    public ServiceProcess selector(String name, List<String> properties) {
        return service(name, "services/selector/target/quarkus-app/quarkus-run.jar", properties);
    }

    private ServiceProcess service(String name, String jar, List<String> properties) {
        List<String> all = new ArrayList<>(List.of("-Dkafka.bootstrap.servers=" + bootstrap,
                "-Dvitrine.topics.prefix=" + prefix));
        all.addAll(properties);
        return new ServiceProcess(name, home.resolve(jar), work, Ports.anyFree(), all);
    }
}
