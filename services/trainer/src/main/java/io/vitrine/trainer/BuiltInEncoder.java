package io.vitrine.trainer;

import io.vitrine.core.encoder.DefaultEncoder;
import io.vitrine.core.encoder.OnnxEncoder;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;

/**
 * The encoder the selectors serve before any version is promoted, built from the same keys as theirs
 * ({@code vitrine.encoder.path} or {@code vitrine.encoder.defaults.*}): the gate compares the first trained version
 * with it, and a rollback can return to it.
 */
record BuiltInEncoder(String version, byte[] model) {

    static BuiltInEncoder of(TrainerConfig.Encoder config) {
        byte[] model;
        try {
            model = config.path().isPresent() ? Files.readAllBytes(config.path().get())
                    : DefaultEncoder.random(config.defaults().contextFeatures(), config.defaults().candidateFeatures(),
                    config.defaults().dimension(), config.defaults().seed()).toOnnx();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read vitrine.encoder.path " + config.path().get(), e);
        }
        try (OnnxEncoder encoder = OnnxEncoder.load(model)) {
            return new BuiltInEncoder(encoder.info().version(), model);
        }
    }
}
