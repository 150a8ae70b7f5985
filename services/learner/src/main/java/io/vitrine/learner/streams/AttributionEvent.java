package io.vitrine.learner.streams;

import io.vitrine.avro.Click;
import io.vitrine.avro.Decision;
import io.vitrine.avro.Impression;
import org.apache.avro.specific.SpecificRecordBase;

/** The three request-keyed inputs of the attribution join, merged into one stream. */
public sealed interface AttributionEvent {

    /** The event's record. */
    SpecificRecordBase value();

    record Decided(Decision decision) implements AttributionEvent {
        @Override
        public SpecificRecordBase value() {
            return decision;
        }
    }

    record Shown(Impression impression) implements AttributionEvent {
        @Override
        public SpecificRecordBase value() {
            return impression;
        }
    }

    record Clicked(Click click) implements AttributionEvent {
        @Override
        public SpecificRecordBase value() {
            return click;
        }
    }
}
