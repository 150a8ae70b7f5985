package io.vitrine.learner.streams;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.smallrye.config.WithDefault;
import io.vitrine.learner.config.LearnerConfig;
import io.vitrine.learner.streams.RewardRule.Combine;
import org.junit.jupiter.api.Test;

class RewardRuleTest {

    @Test
    void aPlainClickIsRewardOneUnderTheDefaultWeightsOfEitherRule() {
        assertEquals(1.0, RewardRule.DEFAULT.reward(null));
        assertEquals(1.0, new RewardRule(Combine.WEIGHTED_SUM, 1, 1, 0, 1).reward(null));
    }

    @Test
    void maxTakesTheLargerOfTheClickAndTheWeightedValue() {
        RewardRule bookings = new RewardRule(Combine.MAX, 1, 0.01, 0, 1000);
        assertEquals(1.0, bookings.reward(40.0), "0.4 < 1: the click");
        assertEquals(2.5, bookings.reward(250.0), 1e-12);
        assertEquals(1.0, new RewardRule(Combine.MAX, 1, 1, -5, 5).reward(-3.0), "a refund never goes below a click");
    }

    @Test
    void weightedSumAddsTheClickAndTheWeightedValue() {
        RewardRule rule = new RewardRule(Combine.WEIGHTED_SUM, 0.5, 0.1, 0, 100);
        assertEquals(0.5, rule.reward(null));
        assertEquals(0.5 + 0.1 * 30, rule.reward(30.0), 1e-12);
    }

    @Test
    void valuesOutsideTheBoundsOrNotFiniteAreNamedAsProblems() {
        RewardRule rule = new RewardRule(Combine.MAX, 1, 1, 0, 10);
        assertNull(rule.problem(0));
        assertNull(rule.problem(10));
        assertTrue(rule.problem(10.5).contains("value 10.5 is outside [0.0, 10.0]"), rule.problem(10.5));
        assertTrue(rule.problem(-1).contains("max-value"), rule.problem(-1));
        assertTrue(rule.problem(Double.NaN).contains("value NaN is not a finite number"));
        assertTrue(rule.problem(Double.POSITIVE_INFINITY).contains("not a finite number"));
    }

    @Test
    void aRuleThatCannotWorkIsRefusedNamingItsSetting() {
        var reversed = assertThrows(IllegalArgumentException.class, () -> new RewardRule(Combine.MAX, 1, 1, 5, 1));
        assertTrue(reversed.getMessage().contains("min-value (5.0)"), reversed.getMessage());
        var nan = assertThrows(IllegalArgumentException.class,
                () -> new RewardRule(Combine.WEIGHTED_SUM, 1, Double.NaN, 0, 1));
        assertTrue(nan.getMessage().contains("value-weight NaN"), nan.getMessage());
    }

    @Test
    void theDefaultRuleIsTheConfigurationsDefault() throws Exception {
        Class<?> config = LearnerConfig.RewardRuleConfig.class;
        assertEquals("max", defaultOf(config, "combine"));
        assertEquals(RewardRule.DEFAULT.combine(), Combine.MAX);
        assertEquals(RewardRule.DEFAULT.clickWeight(), Double.parseDouble(defaultOf(config, "clickWeight")));
        assertEquals(RewardRule.DEFAULT.valueWeight(), Double.parseDouble(defaultOf(config, "valueWeight")));
        assertEquals(RewardRule.DEFAULT.minValue(), Double.parseDouble(defaultOf(config, "minValue")));
        assertEquals(RewardRule.DEFAULT.maxValue(), Double.parseDouble(defaultOf(config, "maxValue")));
    }

    private static String defaultOf(Class<?> config, String method) throws Exception {
        return config.getMethod(method).getAnnotation(WithDefault.class).value();
    }
}
