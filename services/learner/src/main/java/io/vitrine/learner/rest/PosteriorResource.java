package io.vitrine.learner.rest;

import io.vitrine.avro.PosteriorSnapshot;
import io.vitrine.avro.PosteriorStatistics;
import io.vitrine.core.posterior.NigPrior;
import io.vitrine.learner.streams.PosteriorUpdater;
import io.vitrine.learner.versions.VersionLearners;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.apache.kafka.common.serialization.Serdes;
import io.vitrine.schemas.Scopes;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.KeyQueryMetadata;
import org.apache.kafka.streams.StoreQueryParameters;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.errors.InvalidStateStoreException;
import org.apache.kafka.streams.state.HostInfo;
import org.apache.kafka.streams.state.QueryableStoreTypes;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;
import org.jboss.logging.Logger;

/**
 * Reads a scope's posterior from the learner's state store (interactive query), on whichever instance holds it.
 *
 * <p>Any instance answers: the scope's partition is looked up in the Streams metadata; if another instance is
 * its active owner the request is proxied there (not redirected: callers behind a load balancer cannot reach the
 * instances directly). If the owner cannot be reached, a standby replica answers, locally or proxied, and says so
 * in {@value #STALE_HEADER}. Every answer names the instance that read the store in {@value #SERVED_BY_HEADER}.
 */
@Path("/v1/posteriors")
@Produces(MediaType.APPLICATION_JSON)
public class PosteriorResource {

    static final String FORWARDED_HEADER = "X-Vitrine-Forwarded";
    static final String SERVED_BY_HEADER = "X-Vitrine-Served-By";
    static final String STALE_HEADER = "X-Vitrine-Stale";

    private static final Logger LOG = Logger.getLogger(PosteriorResource.class);

    /** A scope's posterior: what it learned and how sure it is. */
    public record PosteriorSummary(String scope, String slot, String encoderVersion, long version, int dimension,
                                   double n, double a, double bn, Double noiseVariance, List<Double> mu,
                                   Instant updatedAt) {
    }

    private final KafkaStreams streams;
    private final VersionLearners versions;
    private final NigPrior prior;
    private final Optional<HostInfo> self;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    /**
     * @param streams       the main application: the scopes of the encoder configured on the learner
     * @param versions      the applications of trained encoder versions, each holding its own scopes
     * @param streamsConfig the configuration the streams run with: its application.server is this instance
     */
    public PosteriorResource(KafkaStreams streams, VersionLearners versions, StreamsConfig streamsConfig,
                             NigPrior prior) {
        this.streams = streams;
        this.versions = versions;
        this.prior = prior;
        this.self = Optional.ofNullable(streamsConfig.getString(StreamsConfig.APPLICATION_SERVER_CONFIG))
                .filter(s -> !s.isBlank()).map(HostInfo::buildFromEndpoint);
    }

    @GET
    @Path("/{scope: .+}")
    public Response get(@PathParam("scope") String scope, @HeaderParam(FORWARDED_HEADER) String forwarded) {
        // A trained version's scopes live in that version's own application (same store name, same partitioning).
        KafkaStreams streams = versions.streams(Scopes.encoderVersion(scope)).orElse(this.streams);
        if (self.isEmpty()) {
            return local(streams, scope, null, false); // a single instance without an advertised address holds all
        }
        KeyQueryMetadata owner;
        try {
            // The store is keyed by scope, its partitions by the rewards' key: the scope without its encoder version.
            owner = streams.queryMetadataForKey(PosteriorUpdater.STATISTICS_STORE, Scopes.learningKey(scope),
                    Serdes.String().serializer());
        } catch (IllegalStateException e) {
            return notReady(e.getMessage());
        }
        if (owner == null || KeyQueryMetadata.NOT_AVAILABLE.equals(owner)) {
            return notReady("no instance owns the scope's partition yet (rebalancing)");
        }
        HostInfo me = self.get();
        if (owner.activeHost().equals(me)) {
            return local(streams, scope, owner.partition(), false);
        }
        boolean alreadyForwarded = forwarded != null;
        if (!alreadyForwarded) {
            Optional<Response> fromActive = proxy(owner.activeHost(), scope);
            if (fromActive.isPresent()) {
                return fromActive.get();
            }
        }
        // The active owner is unreachable (or the metadata moved under a forwarded request): a standby answers.
        if (owner.standbyHosts().contains(me)) {
            return local(streams, scope, owner.partition(), true);
        }
        if (!alreadyForwarded) {
            for (HostInfo standby : owner.standbyHosts()) {
                Optional<Response> fromStandby = proxy(standby, scope);
                if (fromStandby.isPresent()) {
                    return fromStandby.get();
                }
            }
        }
        return notReady("the instance owning the scope (" + owner.activeHost() + ") cannot be reached");
    }

    /** Reads the local store: the active task's, or with {@code stale} a standby's. */
    private Response local(KafkaStreams streams, String scope, Integer partition, boolean stale) {
        PosteriorStatistics stored;
        try {
            StoreQueryParameters<ReadOnlyKeyValueStore<String, PosteriorStatistics>> query = StoreQueryParameters
                    .fromNameAndType(PosteriorUpdater.STATISTICS_STORE, QueryableStoreTypes.keyValueStore());
            if (partition != null) {
                query = query.withPartition(partition);
            }
            if (stale) {
                query = query.enableStaleStores();
            }
            stored = streams.store(query).get(scope);
        } catch (InvalidStateStoreException e) {
            return notReady(e.getMessage());
        }
        Response.ResponseBuilder answer;
        if (stored == null) {
            answer = Response.status(Response.Status.NOT_FOUND).type(Problems.MEDIA_TYPE).entity(new Problems.Problem(
                    "about:blank", "Unknown scope", 404, "No reward has reached scope '" + scope + "' yet."));
        } else {
            PosteriorSnapshot snapshot = PosteriorUpdater.snapshot(stored, prior);
            // Null, not NaN, while a <= 1: JSON has no NaN and the contract declares a number or null.
            Double noiseVariance = snapshot.getA() > 1 ? snapshot.getBn() / (snapshot.getA() - 1) : null;
            answer = Response.ok(new PosteriorSummary(snapshot.getScope(), snapshot.getSlot(),
                    snapshot.getEncoderVersion(), snapshot.getVersion(), snapshot.getDimension(), snapshot.getN(),
                    snapshot.getA(), snapshot.getBn(), noiseVariance, snapshot.getMu(), snapshot.getUpdatedAt()));
        }
        self.ifPresent(me -> answer.header(SERVED_BY_HEADER, me.host() + ":" + me.port()));
        if (stale) {
            answer.header(STALE_HEADER, "true");
        }
        return answer.build();
    }

    /** The owner's answer, passed through as it is; empty when the owner cannot be reached. */
    private Optional<Response> proxy(HostInfo host, String scope) {
        List<String> segments = new ArrayList<>();
        for (String segment : scope.split("/", -1)) {
            segments.add(URLEncoder.encode(segment, StandardCharsets.UTF_8).replace("+", "%20"));
        }
        URI uri = URI.create("http://" + host.host() + ":" + host.port() + "/v1/posteriors/"
                + String.join("/", segments));
        HttpRequest request = HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(5))
                .header(FORWARDED_HEADER, self.map(me -> me.host() + ":" + me.port()).orElse("?"))
                .GET().build();
        try {
            HttpResponse<byte[]> answer = http.send(request, HttpResponse.BodyHandlers.ofByteArray());
            if (answer.statusCode() >= 500) {
                LOG.debugf("owner %s answered %d for %s", host, answer.statusCode(), scope);
                return Optional.empty();
            }
            Response.ResponseBuilder passed = Response.status(answer.statusCode()).entity(answer.body());
            for (String header : List.of("Content-Type", SERVED_BY_HEADER, STALE_HEADER)) {
                answer.headers().firstValue(header).ifPresent(value -> passed.header(header, value));
            }
            return Optional.of(passed.build());
        } catch (IOException e) {
            LOG.debugf("owner %s unreachable for %s: %s", host, scope, e.getMessage());
            return Optional.empty();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.empty();
        }
    }

    private static Response notReady(String why) {
        return Problems.response(Response.Status.SERVICE_UNAVAILABLE, "State store not ready",
                "The posterior store is being restored or rebalanced; retry shortly (" + why + ").");
    }
}
