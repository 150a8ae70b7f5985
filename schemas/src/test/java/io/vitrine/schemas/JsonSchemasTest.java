package io.vitrine.schemas;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.vitrine.avro.Click;
import io.vitrine.avro.Impression;
import org.apache.avro.Schema;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The published JSON Schemas of the events front ends write say what the Avro schemas say, field for field. */
class JsonSchemasTest {

    @Test
    void everyAvroFieldIsARequiredJsonPropertyOfTheMatchingType() throws Exception {
        check(Impression.getClassSchema(), Path.of("src/main/json/impression.schema.json"));
        check(Click.getClassSchema(), Path.of("src/main/json/click.schema.json"));
    }

    private static void check(Schema avro, Path file) throws Exception {
        JsonNode json = new ObjectMapper().readTree(Files.readString(file));
        assertEquals(avro.getName(), json.path("title").asText(), file.toString());
        List<String> required = new ArrayList<>();
        json.path("required").forEach(n -> required.add(n.asText()));
        List<String> fields = avro.getFields().stream().map(Schema.Field::name).toList();
        assertEquals(fields, required, file + ": required properties");
        assertEquals(fields.size(), json.path("properties").size(), file + ": one property per field");
        for (Schema.Field field : avro.getFields()) {
            JsonNode property = json.path("properties").path(field.name());
            if (field.schema().getType() == Schema.Type.STRING) {
                assertEquals("string", property.path("type").asText(), file + ": " + field.name());
            } else {
                assertEquals("timestamp-millis", field.schema().getLogicalType().getName(), field.name());
                assertEquals("integer", property.path("oneOf").path(0).path("type").asText(), field.name());
                assertEquals("date-time", property.path("oneOf").path(1).path("format").asText(), field.name());
            }
        }
    }
}
