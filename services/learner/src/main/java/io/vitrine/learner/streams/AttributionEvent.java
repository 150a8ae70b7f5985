package io.vitrine.learner.streams;

import io.vitrine.avro.Click;
import io.vitrine.avro.Decision;
import io.vitrine.avro.Impression;

/** The three request-keyed inputs of the attribution join, merged into one stream. */
public sealed interface AttributionEvent {

    record Decided(Decision decision) implements AttributionEvent {
    }

    record Shown(Impression impression) implements AttributionEvent {
    }

    record Clicked(Click click) implements AttributionEvent {
    }
}
