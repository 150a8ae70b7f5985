package io.vitrine.core.bandit;

/**
 * One action a policy can take: a candidate with its id and features. Policies that keep one model
 * per action key it by {@code id}; policies over shared features use {@code features}.
 */
public record Arm(String id, float[] features) {
}
