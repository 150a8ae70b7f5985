package io.vitrine.selector.decision;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.vitrine.avro.EncoderServing;
import io.vitrine.avro.EncoderVersion;
import io.vitrine.core.encoder.EncoderInfo;
import io.vitrine.core.encoder.OnnxEncoder;
import io.vitrine.service.encoders.EncoderCatalog;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReference;
import org.jboss.logging.Logger;

/**
 * The encoder the selector serves, swapped without a restart when the {@code encoder-serving} topic says so. A
 * decision reads {@link #current()} once and uses that encoder, its layout and its posteriors' scope suffix
 * throughout, so a swap is atomic for every decision and every slot: none mixes two versions. Loaded versions stay
 * loaded (a rollback is immediate, and a decision still running on the old one is never cut off); they are closed
 * when the selector stops.
 */
public final class ServingEncoders implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(ServingEncoders.class);

    /** One encoder version, ready to decide with. */
    public record Serving(OnnxEncoder encoder, EncoderInfo info) {
    }

    private final Serving builtIn;
    private final EncoderCatalog catalog;
    private final Map<String, Serving> loaded = new ConcurrentHashMap<>();
    private final AtomicReference<Serving> current;
    /** A version the serving topic named before the catalog had it: served as soon as it arrives. */
    private final AtomicReference<String> pending = new AtomicReference<>();
    private final Counter swaps;
    private final MeterRegistry registry;

    public ServingEncoders(OnnxEncoder builtIn, EncoderCatalog catalog, MeterRegistry registry) {
        this.builtIn = new Serving(builtIn, builtIn.info());
        this.catalog = catalog;
        this.current = new AtomicReference<>(this.builtIn);
        loaded.put(builtIn.info().version(), this.builtIn);
        this.registry = registry;
        this.swaps = Counter.builder("vitrine.selector.encoder.swaps")
                .description("Changes of the encoder this selector serves").register(registry);
        servingGauge(builtIn.info().version());
    }

    private void servingGauge(String version) {
        Gauge.builder("vitrine.encoder.serving.info", () -> current().info().version().equals(version) ? 1 : 0)
                .tag("version", version).description("1 for the encoder version this selector serves")
                .register(registry);
    }

    /** The encoder to decide with now. */
    public Serving current() {
        return current.get();
    }

    /** Called for every serving change (on the follower's thread). */
    public void onServingChange(EncoderServing change) {
        String version = change.getVersion();
        pending.set(version); // before looking in the catalog, so that a version arriving meanwhile is not missed
        if (!serve(version)) {
            LOG.infof("encoder %s is to serve but has not arrived from the encoders topic yet; %s serves until it does",
                    version, current().info().version());
        }
    }

    /** Called for every new version on the encoders topic (on the catalog's thread). */
    public void onNewVersion(EncoderVersion version) {
        if (version.getVersion().equals(pending.get())) {
            serve(version.getVersion());
        }
    }

    private synchronized boolean serve(String version) {
        Serving next = loaded.get(version);
        if (next == null) {
            EncoderVersion published = catalog.get(version).orElse(null);
            if (published == null) {
                return false;
            }
            OnnxEncoder encoder = OnnxEncoder.load(EncoderCatalog.onnx(published));
            if (!encoder.info().version().equals(version)) {
                LOG.errorf("encoder %s not served: its model names itself %s", version, encoder.info().version());
                encoder.close();
                return true;
            }
            next = new Serving(encoder, encoder.info());
            loaded.put(version, next);
            servingGauge(version);
        }
        pending.compareAndSet(version, null);
        Serving previous = current.getAndSet(next);
        if (previous != next) {
            swaps.increment();
            LOG.infof("serving encoder %s (was %s)", version, previous.info().version());
            if (next.info().contextFeatures() != previous.info().contextFeatures()
                    || next.info().candidateFeatures() != previous.info().candidateFeatures()) {
                LOG.warnf("encoder %s expects %d context and %d candidate features, %s expected %d and %d: requests"
                                + " must change their layout", version, next.info().contextFeatures(),
                        next.info().candidateFeatures(), previous.info().version(),
                        previous.info().contextFeatures(), previous.info().candidateFeatures());
            }
        }
        return true;
    }

    @Override
    public void close() {
        for (Serving serving : loaded.values()) {
            serving.encoder().close();
        }
        loaded.clear();
    }
}
