package io.vitrine.schemas;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.vitrine.avro.Click;
import io.vitrine.avro.Impression;
import org.apache.avro.JsonProperties;
import org.apache.avro.Schema;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The published JSON Schemas of the events front ends write say what the Avro schemas say, field for field. */
class JsonSchemasTest {

    @Test
    void everyAvroFieldIsAJsonPropertyOfTheMatchingTypeRequiredUnlessItHasADefault() throws Exception {
        check(Impression.getClassSchema(), Path.of("src/main/json/impression.schema.json"));
        check(Click.getClassSchema(), Path.of("src/main/json/click.schema.json"));
    }

    @Test
    void clickValueIsAnOptionalNullableNumber() throws Exception {
        JsonNode json = new ObjectMapper().readTree(Files.readString(Path.of("src/main/json/click.schema.json")));
        JsonNode value = json.path("properties").path("value");
        assertEquals(List.of("number", "null"), texts(value.path("type")));
        assertFalse(texts(json.path("required")).contains("value"), "events without a value stay valid");
        Schema.Field field = Click.getClassSchema().getField("value");
        assertTrue(field.hasDefaultValue() && field.defaultVal() == JsonProperties.NULL_VALUE, "Avro default null");
    }

    private static void check(Schema avro, Path file) throws Exception {
        JsonNode json = new ObjectMapper().readTree(Files.readString(file));
        assertEquals(avro.getName(), json.path("title").asText(), file.toString());
        List<String> fields = avro.getFields().stream().map(Schema.Field::name).toList();
        List<String> withoutDefault = avro.getFields().stream().filter(f -> !f.hasDefaultValue())
                .map(Schema.Field::name).toList();
        assertEquals(withoutDefault, texts(json.path("required")), file + ": required properties");
        assertEquals(fields.size(), json.path("properties").size(), file + ": one property per field");
        for (Schema.Field field : avro.getFields()) {
            JsonNode property = json.path("properties").path(field.name());
            Schema type = field.schema();
            if (type.isUnion()) {
                // An optional field: null, or one type.
                assertTrue(type.isNullable() && type.getTypes().size() == 2, field.name());
                assertTrue(texts(property.path("type")).contains("null"), file + ": " + field.name() + " may be null");
                type = type.getTypes().stream().filter(t -> t.getType() != Schema.Type.NULL).findFirst().orElseThrow();
            }
            if (type.getType() == Schema.Type.STRING) {
                assertEquals("string", property.path("type").asText(), file + ": " + field.name());
            } else if (type.getType() == Schema.Type.DOUBLE) {
                assertTrue(texts(property.path("type")).contains("number"), file + ": " + field.name());
            } else {
                assertEquals("timestamp-millis", type.getLogicalType().getName(), field.name());
                assertEquals("integer", property.path("oneOf").path(0).path("type").asText(), field.name());
                assertEquals("date-time", property.path("oneOf").path(1).path("format").asText(), field.name());
            }
        }
    }

    /** A JSON string or array of strings as a list. */
    private static List<String> texts(JsonNode node) {
        List<String> texts = new ArrayList<>();
        if (node.isTextual()) {
            texts.add(node.asText());
        }
        node.forEach(n -> texts.add(n.asText()));
        return texts;
    }
}
