package io.vitrine.selector.rest;

import io.quarkus.arc.Arc;
import io.quarkus.smallrye.openapi.OpenApiFilter;
import io.vitrine.core.encoder.EncoderInfo;
import io.vitrine.selector.config.SelectorConfig;
import io.vitrine.selector.decision.DecisionEngine;
import java.math.BigDecimal;
import java.util.Map;
import org.eclipse.microprofile.openapi.OASFilter;
import org.eclipse.microprofile.openapi.models.OpenAPI;
import org.eclipse.microprofile.openapi.models.media.Schema;

/**
 * Writes this instance's limits into the served contract at start: the feature counts of the encoder in use and
 * the configured candidate, k and event batch limits, so that {@code /q/openapi} declares exactly what the validator enforces
 * (META-INF/openapi.yaml holds the defaults).
 */
@OpenApiFilter(stages = OpenApiFilter.RunStage.RUNTIME_STARTUP)
public class OpenApiLimits implements OASFilter {

    @Override
    public void filterOpenAPI(OpenAPI openAPI) {
        SelectorConfig config = Arc.container().instance(SelectorConfig.class).get();
        SelectorConfig.Selector selector = config.selector();
        EncoderInfo encoder = Arc.container().instance(DecisionEngine.class).get().encoderInfo();
        Map<String, Schema> schemas = openAPI.getComponents().getSchemas();
        Map<String, Schema> request = schemas.get("DecisionRequest").getProperties();
        exactly(request.get("context"), encoder.contextFeatures());
        exactly(schemas.get("CandidateInput").getProperties().get("features"), encoder.candidateFeatures());
        request.get("candidates").setMaxItems(selector.maxCandidates());
        request.get("k").setMaximum(BigDecimal.valueOf(selector.maxK()));
        schemas.get("EventBatch").getProperties().get("events").setMaxItems(config.events().maxBatch());
    }

    private static void exactly(Schema array, int count) {
        array.setMinItems(count);
        array.setMaxItems(count);
    }
}
