package io.vitrine.learner.versions;

import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import java.util.List;

/** The encoder versions this learner learns, and how far each has come in replaying the reward log. */
@Path("/v1/encoders")
public class VersionsResource {

    private final VersionLearners learners;

    public VersionsResource(VersionLearners learners) {
        this.learners = learners;
    }

    @GET
    @Produces(MediaType.APPLICATION_JSON)
    public List<VersionLearners.Status> list() {
        return learners.statuses();
    }
}
