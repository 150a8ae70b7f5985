package io.vitrine.loadtest;

import io.vitrine.cli.stack.RepoHome;
import io.vitrine.cli.stack.StackException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import picocli.CommandLine.Option;

/**
 * The options of the HTTP and topic load tests that say which selector they start when given no running one, and
 * the start itself.
 */
final class SelectorStart {

    @Option(names = "--selector-jar", paramLabel = "JAR",
            description = "The selector to start (default: services/selector/target/quarkus-app/quarkus-run.jar), e.g. "
                    + "an earlier build to compare with.")
    Optional<Path> selectorJar;

    @Option(names = "--home", paramLabel = "DIR", description = "Root of the Vitrine source tree (default: found from here).")
    Optional<Path> home;

    /**
     * Starts Kafka, the learner and the selector on ports {@code portBase} to {@code portBase + 3}, with their state
     * and logs in {@code load-tests/target/<work>}.
     */
    LoadStack start(String work, int portBase, List<String> selectorOptions, PrintStream out)
            throws StackException, InterruptedException {
        Path root = RepoHome.locate(home);
        return LoadStack.start(root, root.resolve("load-tests/target").resolve(work), portBase,
                Optional.of(selectorJar.map(Path::toAbsolutePath)
                        .orElse(root.resolve("services/selector/target/quarkus-app/quarkus-run.jar"))),
                selectorOptions, List.of(), out);
    }
}
