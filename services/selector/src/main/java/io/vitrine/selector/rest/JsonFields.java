package io.vitrine.selector.rest;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonStreamContext;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vitrine.selector.decision.InvalidRequestException;
import io.vitrine.selector.decision.InvalidRequestException.Violation;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The selector's one set of rules for JSON request bodies, for every endpoint: a body is exactly what its schema
 * says or it is refused with every problem named by field.
 *
 * <p>Parsing is strict: syntax errors, {@code NaN}/{@code Infinity} literals, duplicate keys, trailing data and
 * invalid UTF-8 are refused with their place. Reading fields is typed without coercion: a number is never read
 * from text, a boolean never from a number, an integer never from a fraction, a string never from a number,
 * {@code null} never stands for a default, unknown members are refused, and text must be valid Unicode (no lone
 * surrogate, which Kafka's UTF-8 encoding would turn into {@code ?}).
 *
 * <p>Why not Jackson data binding: it stops at the first problem and its coercion rules differ by type; reading
 * the tree here reports every problem of a request at once, each with its path.
 */
public final class JsonFields {

    /** The field name of problems of the document as a whole. */
    public static final String BODY = "body";
    /** The reason of a body that is not valid JSON. */
    public static final String MALFORMED_JSON = "malformed-json";

    private static final ObjectMapper STRICT = JsonMapper.builder(JsonFactory.builder()
                    .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
                    .build())
            // Exact values: a float's range and an integer's fraction are checked here, not rounded away.
            .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
            .build();
    /** Jackson's advice to its own users ("enable JsonReadFeature.X to allow"), which means nothing to a client. */
    private static final Pattern JACKSON_ADVICE = Pattern.compile("[;:(]?\\s*\\(?(?:enable|disable)[^)]*`[^`]+`[^)]*\\)?");

    private final List<Violation> violations = new ArrayList<>();

    /** Parses a request body strictly; throws {@link InvalidRequestException} naming where and why it is not JSON. */
    public static JsonNode parse(byte[] body) {
        if (body == null || body.length == 0) {
            throw invalid(BODY, "is empty: a JSON object is required", MALFORMED_JSON);
        }
        JsonNode root;
        JsonParser parser = null;
        try {
            parser = STRICT.createParser(body);
            root = STRICT.readTree(parser);
            if (root != null && parser.nextToken() != null) {
                throw invalid(BODY, "has data after the JSON document, at line " + parser.currentLocation().getLineNr()
                        + ", column " + parser.currentLocation().getColumnNr(), MALFORMED_JSON);
            }
        } catch (JsonProcessingException e) {
            throw invalid(fieldOf(parser), syntaxMessage(e), MALFORMED_JSON);
        } catch (IOException e) {
            throw invalid(BODY, "cannot be read: " + e.getMessage(), MALFORMED_JSON);
        }
        if (root == null || root.isMissingNode()) {
            throw invalid(BODY, "is empty: a JSON object is required", MALFORMED_JSON);
        }
        return root;
    }

    /** The object at {@code field}, or null (a violation) if it is something else or has members not in {@code known}. */
    public ObjectNode object(JsonNode node, String field, Set<String> known) {
        if (!(node instanceof ObjectNode object)) {
            violations.add(new Violation(field, "must be a JSON object, got " + describe(node)));
            return null;
        }
        for (Iterator<String> names = object.fieldNames(); names.hasNext(); ) {
            String name = names.next();
            if (!known.contains(name)) {
                violations.add(new Violation(join(field, name), "is not a known field (known: "
                        + String.join(", ", known.stream().sorted().toList()) + ")"));
            }
        }
        return object;
    }

    /** A string member, or null when absent (a violation if required) or not a valid string. */
    public String text(ObjectNode object, String field, String name, boolean required) {
        JsonNode node = member(object, field, name, required);
        if (node == null) {
            return null;
        }
        String path = join(field, name);
        if (!node.isTextual()) {
            violations.add(new Violation(path, "must be a string, got " + describe(node)));
            return null;
        }
        String text = node.textValue();
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (Character.isHighSurrogate(c) && i + 1 < text.length() && Character.isLowSurrogate(text.charAt(i + 1))) {
                i++;
            } else if (Character.isSurrogate(c)) {
                violations.add(new Violation(path, String.format("has a lone surrogate \\u%04x at index %d: "
                        + "not valid Unicode text", (int) c, i)));
                return null;
            }
        }
        return text;
    }

    /** An integer member within [Integer.MIN_VALUE, Integer.MAX_VALUE], or null when absent or invalid. */
    public Integer integer(ObjectNode object, String field, String name, boolean required) {
        JsonNode node = member(object, field, name, required);
        if (node == null) {
            return null;
        }
        if (!node.isIntegralNumber()) {
            violations.add(new Violation(join(field, name), "must be an integer, got " + describe(node)));
            return null;
        }
        if (!node.canConvertToInt()) {
            violations.add(new Violation(join(field, name), "is out of range, got " + node.asText()));
            return null;
        }
        return node.intValue();
    }

    /**
     * A number member as a finite 64-bit double, or null when absent or invalid. A number beyond the double range is
     * refused, not turned into an infinity.
     */
    public Double number(ObjectNode object, String field, String name, boolean required) {
        JsonNode node = member(object, field, name, required);
        if (node == null) {
            return null;
        }
        if (!node.isNumber()) {
            violations.add(new Violation(join(field, name), "must be a number, got " + describe(node)));
            return null;
        }
        double value = node.isBigDecimal() ? node.decimalValue().doubleValue() : node.doubleValue();
        if (!Double.isFinite(value)) {
            violations.add(new Violation(join(field, name), "is outside the range of a 64-bit double (magnitude at "
                    + "most " + Double.MAX_VALUE + "), got " + shorten(node.asText())));
            return null;
        }
        return value;
    }

    /** A boolean member, or null when absent or invalid. */
    public Boolean bool(ObjectNode object, String field, String name, boolean required) {
        JsonNode node = member(object, field, name, required);
        if (node == null) {
            return null;
        }
        if (!node.isBoolean()) {
            violations.add(new Violation(join(field, name), "must be true or false, got " + describe(node)));
            return null;
        }
        return node.booleanValue();
    }

    /** An array member, or null when absent or not an array. */
    public ArrayNode array(ObjectNode object, String field, String name, boolean required) {
        JsonNode node = member(object, field, name, required);
        if (node == null) {
            return null;
        }
        if (!node.isArray()) {
            violations.add(new Violation(join(field, name), "must be an array, got " + describe(node)));
            return null;
        }
        return (ArrayNode) node;
    }

    /**
     * An array of numbers as 32-bit floats, or null when absent or invalid (every bad element is named, with the
     * reason {@code reason}). A number outside the float range is refused, not turned into an infinity.
     */
    public float[] floats(ObjectNode object, String field, String name, boolean required, String reason) {
        ArrayNode array = array(object, field, name, required);
        if (array == null) {
            return null;
        }
        String path = join(field, name);
        float[] values = new float[array.size()];
        boolean valid = true;
        for (int i = 0; i < values.length; i++) {
            JsonNode element = array.get(i);
            String at = path + "[" + i + "]";
            if (!element.isNumber()) {
                violations.add(new Violation(at, "must be a number, got " + describe(element), reason));
                valid = false;
                continue;
            }
            float value = element.isBigDecimal() ? element.decimalValue().floatValue() : element.floatValue();
            if (!Float.isFinite(value)) {
                violations.add(new Violation(at, "is outside the range of a 32-bit float (magnitude at most "
                        + Float.MAX_VALUE + "), got " + shorten(element.asText()), reason));
                valid = false;
                continue;
            }
            values[i] = value;
        }
        return valid ? values : null;
    }

    public void add(Violation violation) {
        violations.add(violation);
    }

    public List<Violation> violations() {
        return List.copyOf(violations);
    }

    /** Throws {@link InvalidRequestException} with every violation found so far, if any. */
    public void throwIfInvalid() {
        if (!violations.isEmpty()) {
            throw new InvalidRequestException(violations);
        }
    }

    /** {@code (candidates[0], id)} -> {@code candidates[0].id}; the document's own members have no prefix. */
    public static String join(String field, String name) {
        return field == null || field.isEmpty() || field.equals(BODY) ? name : field + "." + name;
    }

    private JsonNode member(ObjectNode object, String field, String name, boolean required) {
        JsonNode node = object.get(name);
        if (node == null) {
            if (required) {
                violations.add(new Violation(join(field, name), "is required"));
            }
            return null;
        }
        if (node.isNull()) {
            violations.add(new Violation(join(field, name), required ? "is required, got null"
                    : "must be left out rather than null"));
            return null;
        }
        return node;
    }

    private static InvalidRequestException invalid(String field, String message, String reason) {
        return new InvalidRequestException(List.of(new Violation(field, message, reason)));
    }

    /** The field a parser stopped in ({@code candidates[2].id}), or {@code body} at the top level. */
    private static String fieldOf(JsonParser parser) {
        if (parser == null) {
            return BODY;
        }
        List<String> parts = new ArrayList<>();
        for (JsonStreamContext context = parser.getParsingContext(); context != null && !context.inRoot();
             context = context.getParent()) {
            if (context.inArray()) {
                parts.add(0, "[" + Math.max(context.getCurrentIndex(), 0) + "]");
            } else if (context.inObject() && context.getCurrentName() != null) {
                parts.add(0, "." + context.getCurrentName());
            }
        }
        String field = String.join("", parts);
        return field.isEmpty() ? BODY : field.startsWith(".") ? field.substring(1) : field;
    }

    private static String syntaxMessage(JsonProcessingException e) {
        String message = e.getOriginalMessage() == null ? e.getClass().getSimpleName() : e.getOriginalMessage();
        message = JACKSON_ADVICE.matcher(message.lines().findFirst().orElse(message)).replaceAll("").trim();
        if (message.contains("Non-standard token")) {
            message += " (JSON has no NaN or Infinity: send finite numbers)";
        }
        String where = e.getLocation() == null ? "" : " at line " + e.getLocation().getLineNr() + ", column "
                + e.getLocation().getColumnNr();
        return "is not valid JSON" + where + ": " + message;
    }

    private static String describe(JsonNode node) {
        if (node == null || node.isMissingNode()) {
            return "nothing";
        }
        return switch (node.getNodeType()) {
            case NULL -> "null";
            case OBJECT -> "an object";
            case ARRAY -> "an array";
            case STRING -> "the string \"" + shorten(node.textValue()) + "\"";
            case BOOLEAN -> node.asText();
            case NUMBER -> "the number " + shorten(node.asText());
            default -> node.getNodeType().toString().toLowerCase();
        };
    }

    private static String shorten(String text) {
        return text.length() <= 40 ? text : text.substring(0, 37) + "...";
    }
}
