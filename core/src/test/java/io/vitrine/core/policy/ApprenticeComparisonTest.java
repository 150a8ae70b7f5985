package io.vitrine.core.policy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class ApprenticeComparisonTest {

    @Test
    void withPropensitiesVitrineIsTheInversePropensityEstimateOfItsWouldBeChoices() {
        // Four rounds: served rewards 1, 0, 1, 0; Vitrine agreed on the first two, served with propensity 0.5.
        ApprenticeComparison.Report report = ApprenticeComparison.of(List.of(
                new ApprenticeComparison.Round(1, true, 0.5), new ApprenticeComparison.Round(0, true, 0.5),
                new ApprenticeComparison.Round(1, false, 0.25), new ApprenticeComparison.Round(0, false, 0.25)));
        assertEquals(4, report.rounds());
        assertEquals(2, report.agreed());
        assertEquals(0.5, report.incumbent().value(), 1e-12);
        assertEquals(0.5, report.agreement().value(), 1e-12);
        // (1 / 0.5 + 0 + 0 + 0) / 4; terms 2, 0, 0, 0: sd 1, se 0.5.
        assertEquals(0.5, report.vitrine().value(), 1e-12);
        assertEquals(0.5 - ApprenticeComparison.Z95 * 0.5, report.vitrine().low(), 1e-12);
        assertEquals("IPS", report.vitrine().estimator());
        assertTrue(report.unbiased());
    }

    @Test
    void aDeterministicIncumbentGivesTheMatchedRoundMeanFlaggedAsBiased() {
        ApprenticeComparison.Report report = ApprenticeComparison.of(List.of(
                new ApprenticeComparison.Round(1, true, null), new ApprenticeComparison.Round(0, true, null),
                new ApprenticeComparison.Round(1, true, null), new ApprenticeComparison.Round(1, false, null)));
        assertFalse(report.unbiased());
        assertEquals("matched rounds", report.vitrine().estimator());
        assertEquals(2 / 3.0, report.vitrine().value(), 1e-12);
        assertTrue(report.note().contains("not an unbiased estimate"));
    }

    @Test
    void noAgreementLeavesVitrineUnestimatedAndTheAgreementIntervalIsNotEmpty() {
        ApprenticeComparison.Report report = ApprenticeComparison.of(List.of(
                new ApprenticeComparison.Round(1, false, null), new ApprenticeComparison.Round(0, false, null)));
        assertNull(report.vitrine());
        assertEquals(0, report.agreement().value(), 1e-12);
        assertEquals(0, report.agreement().low(), 1e-12);
        assertTrue(report.agreement().high() > 0.5, "Wilson's interval at 0 of 2: " + report.agreement());
        assertNull(ApprenticeComparison.of(List.of()));
    }
}
