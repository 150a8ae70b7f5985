package io.vitrine.selector.decision;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.vitrine.core.encoder.EncoderInfo;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The limits and the kinds of refusal that dead letters and metrics report. */
class RequestValidatorTest {

    private static final EncoderInfo ENCODER = new EncoderInfo("enc", 2, 1, 4);

    private static DecisionInput input(String slot, int candidates, float value) {
        List<DecisionInput.CandidateInput> list = new java.util.ArrayList<>();
        for (int i = 0; i < candidates; i++) {
            list.add(new DecisionInput.CandidateInput("c" + i, new float[] {value}));
        }
        return new DecisionInput("r", slot, new float[] {0f, 1f}, list, 1, null);
    }

    @Test
    void unknownSlotIsRefusedOnlyWhenTheSlotsAreListed() {
        new RequestValidator(ENCODER, 10, 5, Optional.empty()).validate(input("anything", 2, 0f), true);
        RequestValidator listed = new RequestValidator(ENCODER, 10, 5, Optional.of(Set.of("hero")));
        listed.validate(input("hero", 2, 0f), true);
        InvalidRequestException e = assertThrows(InvalidRequestException.class,
                () -> listed.validate(input("footer", 2, 0f), true));
        assertEquals("unknown-slot", e.reason());
    }

    @Test
    void candidateLimitIsConfigurable() {
        RequestValidator validator = new RequestValidator(ENCODER, 3, 5, Optional.empty());
        validator.validate(input("hero", 3, 0f), true);
        assertEquals("too-many-candidates", assertThrows(InvalidRequestException.class,
                () -> validator.validate(input("hero", 4, 0f), true)).reason());
    }

    @Test
    void nonFiniteFeaturesAreInvalidFeatures() {
        RequestValidator validator = new RequestValidator(ENCODER, 10, 5, Optional.empty());
        assertEquals("invalid-features", assertThrows(InvalidRequestException.class,
                () -> validator.validate(input("hero", 2, Float.POSITIVE_INFINITY), true)).reason());
    }

    @Test
    void otherProblemsAreInvalidRequests() {
        RequestValidator validator = new RequestValidator(ENCODER, 10, 5, Optional.empty());
        assertEquals("invalid-request", assertThrows(InvalidRequestException.class,
                () -> validator.validate(input(" ", 2, 0f), true)).reason());
    }
}
