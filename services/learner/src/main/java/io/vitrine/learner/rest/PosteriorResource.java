package io.vitrine.learner.rest;

import io.vitrine.avro.PosteriorSnapshot;
import io.vitrine.avro.PosteriorStatistics;
import io.vitrine.core.posterior.NigPrior;
import io.vitrine.learner.streams.PosteriorUpdater;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.time.Instant;
import java.util.List;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StoreQueryParameters;
import org.apache.kafka.streams.errors.InvalidStateStoreException;
import org.apache.kafka.streams.state.QueryableStoreTypes;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;

/** Reads a scope's posterior from the learner's state store (interactive query). */
@Path("/v1/posteriors")
@Produces(MediaType.APPLICATION_JSON)
public class PosteriorResource {

    /** A scope's posterior: what it learned and how sure it is. */
    public record PosteriorSummary(String scope, String slot, String encoderVersion, long version, int dimension,
                                   double n, double a, double bn, double noiseVariance, List<Double> mu,
                                   Instant updatedAt) {
    }

    private final KafkaStreams streams;
    private final NigPrior prior;

    public PosteriorResource(KafkaStreams streams, NigPrior prior) {
        this.streams = streams;
        this.prior = prior;
    }

    @GET
    @Path("/{scope: .+}")
    public Response get(@PathParam("scope") String scope) {
        PosteriorStatistics stored;
        try {
            ReadOnlyKeyValueStore<String, PosteriorStatistics> store = streams.store(StoreQueryParameters
                    .fromNameAndType(PosteriorUpdater.STATISTICS_STORE, QueryableStoreTypes.keyValueStore()));
            stored = store.get(scope);
        } catch (InvalidStateStoreException e) {
            return Problems.response(Response.Status.SERVICE_UNAVAILABLE, "State store not ready",
                    "The posterior store is being restored or rebalanced; retry shortly (" + e.getMessage() + ").");
        }
        if (stored == null) {
            return Problems.response(Response.Status.NOT_FOUND, "Unknown scope",
                    "No reward has reached scope '" + scope + "' yet.");
        }
        PosteriorSnapshot snapshot = PosteriorUpdater.snapshot(stored, prior);
        double noiseVariance = snapshot.getA() > 1 ? snapshot.getBn() / (snapshot.getA() - 1) : Double.NaN;
        return Response.ok(new PosteriorSummary(snapshot.getScope(), snapshot.getSlot(), snapshot.getEncoderVersion(),
                snapshot.getVersion(), snapshot.getDimension(), snapshot.getN(), snapshot.getA(), snapshot.getBn(),
                noiseVariance, snapshot.getMu(), snapshot.getUpdatedAt())).build();
    }
}
