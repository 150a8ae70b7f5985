package io.vitrine.evaluation;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * The Decision Service / Azure Personalizer log ("DSJSON", as Vowpal Wabbit's {@code --dsjson} reads it): one JSON
 * event per line with the chosen action's cost ({@code _label_cost}), its probability ({@code _label_probability}),
 * its 0-based index among the actions ({@code _labelIndex}), the shared context and the actions' features
 * ({@code c}, with the actions under {@code c._multi}).
 * <ul>
 *   <li>The reward is minus the cost: the service logs a reward r as the cost -r.</li>
 *   <li>Features are flattened to dotted names ({@code User.age}, {@code i.id}); numbers are read as they are,
 *   booleans as 0 or 1, text as a stable code (as in flat logs). Names starting with an underscore are not
 *   features (VW's convention: {@code _tag}, {@code _expires}). The context's names are those of the first event
 *   and the actions' those of the first event's first action; a later name not seen there is not read, a missing
 *   one reads as 0.</li>
 *   <li>Lines that are not decision events (the service's dangling reward lines, events without actions) are
 *   unusable rows: an error, or skipped and counted in lenient mode.</li>
 * </ul>
 */
final class DecisionServiceLog {

    /** Receives each usable round. */
    interface Rounds {
        void accept(LogReader.Parsed round);
    }

    /** Receives the message of each unusable line. */
    interface Unusable {
        void accept(String message) throws LogFormatException;
    }

    private static final ObjectMapper JSON = new ObjectMapper();

    private DecisionServiceLog() {
    }

    /** Whether the file's first non-blank line is a decision event (it has {@code _label_cost} and {@code c}). */
    static boolean holdsEvents(Path file) throws IOException {
        try (BufferedReader reader = new BufferedReader(TableFile.openText(file))) {
            String line;
            while ((line = reader.readLine()) != null) {
                if (!line.isBlank()) {
                    try {
                        JsonNode node = JSON.readTree(line);
                        return node.isObject() && node.has("_label_cost") && node.has("c");
                    } catch (JsonProcessingException e) {
                        return false;
                    }
                }
            }
            return false;
        }
    }

    static void read(Path file, Rounds rounds, Unusable unusable) throws IOException, LogFormatException {
        Map<String, Integer> contextNames = null;
        Map<String, Integer> actionNames = null;
        try (BufferedReader reader = new BufferedReader(TableFile.openText(file), 1 << 16)) {
            String text;
            long line = 0;
            while ((text = reader.readLine()) != null) {
                line++;
                if (text.isBlank()) {
                    continue;
                }
                String where = file + ": line " + line;
                JsonNode event;
                try {
                    event = JSON.readTree(text);
                } catch (JsonProcessingException e) {
                    unusable.accept(where + ", column " + e.getLocation().getColumnNr() + ": not valid JSON: "
                            + e.getOriginalMessage());
                    continue;
                }
                JsonNode context = event.path("c");
                JsonNode actions = context.path("_multi");
                if (!event.isObject() || !context.isObject() || !actions.isArray() || actions.isEmpty()) {
                    unusable.accept(where + ": expected a decision event with actions (c._multi), found "
                            + (event.isObject() ? "fields " + fieldNames(event) : "no JSON object"));
                    continue;
                }
                String problem = null;
                JsonNode cost = event.get("_label_cost");
                JsonNode probability = event.get("_label_probability");
                JsonNode index = event.get("_labelIndex");
                if (cost == null || !cost.isNumber()) {
                    problem = "_label_cost: expected the chosen action's cost, a number, found " + shown(cost);
                } else if (probability == null || !probability.isNumber() || !(probability.asDouble() > 0
                        && probability.asDouble() <= 1)) {
                    problem = "_label_probability: expected a probability in (0, 1], found " + shown(probability);
                } else if (index == null || !index.canConvertToInt() || index.asInt() < 0
                        || index.asInt() >= actions.size()) {
                    problem = "_labelIndex: expected the chosen action's index among the " + actions.size()
                            + " actions (0 to " + (actions.size() - 1) + "), found " + shown(index);
                }
                if (problem != null) {
                    unusable.accept(where + ", field " + problem);
                    continue;
                }
                if (contextNames == null) {
                    contextNames = names(context);
                    actionNames = names(actions.get(0));
                }
                float[][] candidates = new float[actions.size()][];
                for (int a = 0; a < candidates.length; a++) {
                    candidates[a] = values(actions.get(a), actionNames);
                }
                rounds.accept(new LogReader.Parsed("line " + line, values(context, contextNames), index.asInt(),
                        -cost.asDouble(), probability.asDouble(), null, candidates, null));
            }
        }
    }

    private static String shown(JsonNode node) {
        return node == null ? "no such field" : node.toString();
    }

    private static List<String> fieldNames(JsonNode node) {
        List<String> names = new ArrayList<>();
        node.fieldNames().forEachRemaining(names::add);
        return names;
    }

    /** The flattened feature names of a namespace object, each with its index. */
    private static Map<String, Integer> names(JsonNode node) {
        Map<String, Float> flat = new java.util.LinkedHashMap<>();
        flatten("", node, flat);
        Map<String, Integer> names = new HashMap<>();
        for (String name : flat.keySet()) {
            names.put(name, names.size());
        }
        return names;
    }

    private static float[] values(JsonNode node, Map<String, Integer> names) {
        Map<String, Float> flat = new HashMap<>();
        flatten("", node, flat);
        float[] values = new float[names.size()];
        flat.forEach((name, value) -> {
            Integer i = names.get(name);
            if (i != null) {
                values[i] = value;
            }
        });
        return values;
    }

    private static void flatten(String prefix, JsonNode node, Map<String, Float> out) {
        if (node.isObject()) {
            for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> field = it.next();
                if (!field.getKey().startsWith("_")) {
                    flatten(prefix.isEmpty() ? field.getKey() : prefix + "." + field.getKey(), field.getValue(), out);
                }
            }
        } else if (node.isArray()) {
            for (int i = 0; i < node.size(); i++) {
                flatten(prefix + "[" + i + "]", node.get(i), out);
            }
        } else if (node.isNumber()) {
            out.put(prefix, (float) node.asDouble());
        } else if (node.isBoolean()) {
            out.put(prefix, node.asBoolean() ? 1f : 0f);
        } else if (node.isTextual()) {
            out.put(prefix, LogReader.feature(node.asText()));
        }
    }
}
