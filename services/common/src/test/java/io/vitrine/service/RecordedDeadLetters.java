package io.vitrine.service;

import io.vitrine.avro.DeadLetter;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.errors.DeserializationExceptionHandler;
import org.apache.kafka.streams.errors.ErrorHandlerContext;

/**
 * For topology tests without a broker: keeps the letter {@link DeadLetterHandler} would write to Kafka for each
 * undecodable record in a list the test hands over through the Streams configuration ({@link #settings}).
 */
public final class RecordedDeadLetters implements DeserializationExceptionHandler {

    private static final String LETTERS = "test.recorded.dead.letters";

    private List<DeadLetter> letters;
    private String service;

    /** The Streams settings that send the undecodable records of {@code service} to {@code letters}. */
    public static Map<String, Object> settings(String service, List<DeadLetter> letters) {
        return Map.of(StreamsConfig.DESERIALIZATION_EXCEPTION_HANDLER_CLASS_CONFIG, RecordedDeadLetters.class,
                LETTERS, letters, DeadLetterHandler.SERVICE, service);
    }

    @Override
    @SuppressWarnings("unchecked")
    public void configure(Map<String, ?> configs) {
        letters = (List<DeadLetter>) configs.get(LETTERS);
        service = (String) configs.get(DeadLetterHandler.SERVICE);
    }

    @Override
    public DeserializationHandlerResponse handle(ErrorHandlerContext context, ConsumerRecord<byte[], byte[]> record,
                                                 Exception exception) {
        letters.add(DeadLetterHandler.letter(service, record, exception));
        return DeserializationHandlerResponse.CONTINUE;
    }
}
