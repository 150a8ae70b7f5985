package io.vitrine.learner.admin;

import io.quarkus.security.AuthenticationFailedException;
import io.quarkus.security.ForbiddenException;
import io.quarkus.security.UnauthorizedException;
import io.smallrye.common.annotation.Identifier;
import io.vitrine.avro.AdminAudit;
import io.vitrine.avro.SlotControl;
import io.vitrine.learner.config.LearnerConfig;
import io.vitrine.schemas.Topic;
import io.vitrine.schemas.WireFormat;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Disposes;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;
import jakarta.ws.rs.core.Response;
import java.util.Map;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

/** The admin log, and what the admin API answers when Kafka did not take an action. */
@ApplicationScoped
public class AdminBeans {

    @Produces
    @Singleton
    AdminLog adminLog(LearnerConfig config, WireFormat wire,
                      @Identifier("default-kafka-broker") Map<String, Object> kafka,
                      @ConfigProperty(name = "quarkus.kafka-streams.application-id") String applicationId) {
        String prefix = config.topics().prefix();
        return new AdminLog(kafka, applicationId, Topic.SLOT_CONTROL.name(prefix), Topic.ADMIN_AUDIT.name(prefix),
                wire.<SlotControl>serde(SlotControl.class).serializer(),
                wire.<AdminAudit>serde(AdminAudit.class).serializer(), config.admin().timeout());
    }

    void closeAdminLog(@Disposes AdminLog log) {
        log.close();
    }

    @ServerExceptionMapper
    public Response notWritten(AdminLog.AdminLogException e) {
        return problem(Response.Status.SERVICE_UNAVAILABLE, "Action not recorded", "Nothing changed: " + e.getMessage())
                .build();
    }

    /** No token, or one that does not verify (signature, issuer, expiry): a problem document, like every error. */
    @ServerExceptionMapper({UnauthorizedException.class, AuthenticationFailedException.class})
    public Response unauthenticated() {
        return problem(Response.Status.UNAUTHORIZED, "Unauthorized",
                "The admin API needs a valid bearer token (Authorization: Bearer <JWT>); nothing changed.")
                .header("WWW-Authenticate", "Bearer").build();
    }

    @ServerExceptionMapper
    public Response forbidden(ForbiddenException e) {
        return problem(Response.Status.FORBIDDEN, "Forbidden",
                "The token's groups lack the role this call needs; nothing changed.").build();
    }

    private static Response.ResponseBuilder problem(Response.Status status, String title, String detail) {
        return Response.status(status).type("application/problem+json")
                .entity(Map.of("type", "about:blank", "title", title, "status", status.getStatusCode(),
                        "detail", detail));
    }
}
