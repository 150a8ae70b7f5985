package io.vitrine.cli.stack;

import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Finds the root of the Vitrine source tree, where the packaged services live: an explicit
 * {@code --home}, else the {@code vitrine.home} system property (set by the {@code ./vitrine}
 * launcher), else the first parent of this code's jar (or classes directory), else of the working
 * directory, that looks like the root.
 */
public final class RepoHome {

    /** System property naming the root, set by the launcher script. */
    public static final String PROPERTY = "vitrine.home";

    private RepoHome() {
    }

    public static Path locate(Optional<Path> explicit) throws StackException {
        if (explicit.isPresent()) {
            return require(explicit.get(), "--home");
        }
        String property = System.getProperty(PROPERTY);
        if (property != null && !property.isBlank()) {
            return require(Path.of(property), "-D" + PROPERTY);
        }
        Optional<Path> found = codeLocation().flatMap(RepoHome::searchUp)
                .or(() -> searchUp(Path.of("").toAbsolutePath()));
        return found.orElseThrow(() -> new StackException(
                "cannot find the Vitrine source tree (with services/selector and cli): pass --home DIR"));
    }

    /** True when the directory is the root of the tree. */
    public static boolean looksLikeRoot(Path dir) {
        return Files.isDirectory(dir.resolve("services/selector"))
                && Files.isDirectory(dir.resolve("cli"))
                && Files.isRegularFile(dir.resolve("pom.xml"));
    }

    private static Path require(Path dir, String source) throws StackException {
        Path absolute = dir.toAbsolutePath().normalize();
        if (!looksLikeRoot(absolute)) {
            throw new StackException(source + " " + absolute + " is not the Vitrine source tree"
                    + " (no services/selector, cli and pom.xml there)");
        }
        return absolute;
    }

    private static Optional<Path> searchUp(Path start) {
        for (Path dir = start; dir != null; dir = dir.getParent()) {
            if (looksLikeRoot(dir)) {
                return Optional.of(dir);
            }
        }
        return Optional.empty();
    }

    private static Optional<Path> codeLocation() {
        try {
            var source = RepoHome.class.getProtectionDomain().getCodeSource();
            return source == null ? Optional.empty()
                    : Optional.of(Path.of(source.getLocation().toURI()).toAbsolutePath());
        } catch (URISyntaxException | SecurityException | IllegalArgumentException e) {
            return Optional.empty();
        }
    }
}
