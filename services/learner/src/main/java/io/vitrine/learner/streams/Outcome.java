package io.vitrine.learner.streams;

import io.vitrine.avro.DeadLetter;

/** What a processor emits for one input: a value for its output topic, or a dead letter saying why not. */
sealed interface Outcome<T> {

    record Emit<T>(T value) implements Outcome<T> {
    }

    record Reject<T>(DeadLetter letter) implements Outcome<T> {
    }
}
