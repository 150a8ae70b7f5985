package io.vitrine.selector;

import java.io.ByteArrayOutputStream;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.Tuple;

/**
 * JSON for the structure-aware fuzz of the HTTP API: a tree written exactly as built (members in order, repeated
 * members, raw number text), values that do not belong where they land, and mutations of a tree's structure and of
 * its bytes. Written by hand: a JSON library's writer cannot repeat a member, write lone surrogates or arbitrary
 * number text, which is the point here.
 */
public final class JsonMutations {

    private JsonMutations() {
    }

    /** A JSON value as written: members keep their order and may repeat; {@link Raw} is written as it is. */
    public record Obj(List<Map.Entry<String, Object>> members) {
    }

    public record Raw(String text) {
    }

    public enum Mutation { REPLACE, REMOVE, ADD_UNKNOWN, DUPLICATE, WRAP_IN_ARRAY, EMPTY_ARRAY }

    public enum ByteMutation { NONE, TRUNCATE, TRAILING, INVALID_UTF8, BOM, OVERSIZED }

    /**
     * Decision requests in the contract's shape: 1 to 6 candidates, {@code featureCount} features of context and of
     * each candidate, request ids from a small pool or none.
     */
    public static Arbitrary<Obj> decisionRequests(int featureCount) {
        Arbitrary<Object> feature = Arbitraries.floats().between(-10f, 10f).map(f -> (Object) f);
        Arbitrary<List<Object>> features = feature.list().ofSize(featureCount);
        Arbitrary<String> requestId = Arbitraries.frequencyOf(
                Tuple.of(3, Arbitraries.integers().between(0, 40).map(i -> "fuzz-" + i)),
                Tuple.of(7, Arbitraries.just((String) null)));
        Arbitrary<List<Object>> candidates = features.list().ofMinSize(1).ofMaxSize(6).map(list -> {
            List<Object> out = new ArrayList<>();
            for (int i = 0; i < list.size(); i++) {
                out.add(new Obj(new ArrayList<>(List.of(Map.entry("id", "c" + i), Map.entry("features",
                        list.get(i))))));
            }
            return out;
        });
        return Combinators.combine(requestId, Arbitraries.of("fuzz/hero", "fuzz/side", "hotel-9/hero"), features,
                candidates, Arbitraries.integers().between(0, 3), Arbitraries.of(true, false, null))
                .as((id, slot, context, list, k, explain) -> {
                    List<Map.Entry<String, Object>> members = new ArrayList<>();
                    if (id != null) {
                        members.add(Map.entry("requestId", id));
                    }
                    members.add(Map.entry("slot", slot));
                    members.add(Map.entry("context", context));
                    members.add(Map.entry("candidates", list));
                    if (k > 0 && k <= list.size()) {
                        members.add(Map.entry("k", k));
                    }
                    if (explain != null) {
                        members.add(Map.entry("explain", explain));
                    }
                    return new Obj(members);
                });
    }

    /**
     * Event batches in the contract's shape: 1 to 20 impressions and clicks, ids of any text up to the limit of 256
     * characters, a time with an offset (or none: the selector's clock), clicks with a finite value or none.
     */
    public static Arbitrary<Obj> eventBatches() {
        Arbitrary<String> id = Arbitraries.frequencyOf(
                Tuple.of(8, Arbitraries.integers().between(0, 1_000).map(i -> "r-" + i)),
                Tuple.of(2, Arbitraries.strings().ofMinLength(1).ofMaxLength(256)));
        Arbitrary<String> time = Arbitraries.frequencyOf(
                Tuple.of(1, Arbitraries.just((String) null)),
                Tuple.of(3, Combinators.combine(Arbitraries.longs().between(0, 30L * 24 * 3600 * 1000),
                        Arbitraries.integers().between(-12, 14)).as((ago, hours) -> Instant.now().minusMillis(ago)
                        .atOffset(ZoneOffset.ofHours(hours)).toString())));
        Arbitrary<Double> value = Arbitraries.frequencyOf(
                Tuple.of(2, Arbitraries.just((Double) null)),
                Tuple.of(1, Arbitraries.doubles().between(-1e6, 1e6)));
        Arbitrary<Object> event = Combinators.combine(Arbitraries.of("impression", "click"), id, id, time, value)
                .as((type, requestId, candidateId, at, worth) -> {
                    List<Map.Entry<String, Object>> members = new ArrayList<>();
                    members.add(Map.entry("type", type));
                    members.add(Map.entry("requestId", requestId));
                    members.add(Map.entry("candidateId", candidateId));
                    if (at != null) {
                        members.add(Map.entry("timestamp", at));
                    }
                    if (worth != null && type.equals("click")) {
                        members.add(Map.entry("value", new Raw(Double.toString(worth))));
                    }
                    return new Obj(members);
                });
        return event.list().ofMinSize(1).ofMaxSize(20)
                .map(events -> new Obj(List.of(Map.entry("events", new ArrayList<Object>(events)))));
    }

    /** Values that do not belong where they land: wrong types, extreme numbers, invalid or long text. */
    public static Arbitrary<Object> oddValues() {
        return Arbitraries.oneOf(
                Arbitraries.just((Object) null),
                Arbitraries.of(true, false).map(b -> (Object) b),
                Arbitraries.of("", " ", "1", "NaN", "Infinity", "\ud800", "a\udc00b", "\u0000", "\ufeff", "é")
                        .map(s -> (Object) s),
                Arbitraries.strings().ofMinLength(0).ofMaxLength(300).map(s -> (Object) s),
                Arbitraries.integers().between(-3, 1000).map(i -> (Object) i),
                Arbitraries.of("3.4e38", "-3.4e38", "1e39", "1e-50", "-0.0", "1.5", "1.0", "4294967297",
                        "99999999999999999999999", "1e999999", "NaN", "-Infinity", "0x10", "01", "1.", ".5", "+1",
                        "1" + "0".repeat(1200)).map(s -> (Object) new Raw(s)),
                Arbitraries.just((Object) new Obj(new ArrayList<>())),
                Arbitraries.just((Object) List.of()),
                Arbitraries.floats().list().ofMinSize(0).ofMaxSize(12).map(l -> (Object) new ArrayList<Object>(l)),
                Arbitraries.integers().between(490, 520).map(n -> (Object) java.util.stream.IntStream.range(0, n)
                        .mapToObj(i -> (Object) new Obj(List.of(Map.entry("id", "x" + i),
                                Map.entry("features", List.of(0f))))).toList()));
    }

    /** Applies one structural mutation to the {@code target}-th container (object or array) of the tree. */
    public static Object mutate(Object tree, Mutation mutation, int target, Object value) {
        List<Object> containers = new ArrayList<>();
        collect(tree, containers);
        Object chosen = containers.get(target % containers.size());
        Random pick = new Random(target);
        if (chosen instanceof Obj obj) {
            List<Map.Entry<String, Object>> members = new ArrayList<>(obj.members());
            int at = members.isEmpty() ? 0 : pick.nextInt(members.size());
            switch (mutation) {
                case REPLACE -> {
                    if (!members.isEmpty()) {
                        members.set(at, Map.entry(members.get(at).getKey(), value == null ? new Raw("null") : value));
                    }
                }
                case REMOVE -> {
                    if (!members.isEmpty()) {
                        members.remove(at);
                    }
                }
                case ADD_UNKNOWN -> members.add(Map.entry("unknown" + at, value == null ? new Raw("null") : value));
                case DUPLICATE -> {
                    if (!members.isEmpty()) {
                        members.add(Map.entry(members.get(at).getKey(), value == null ? new Raw("null") : value));
                    }
                }
                case WRAP_IN_ARRAY -> {
                    if (!members.isEmpty()) {
                        members.set(at, Map.entry(members.get(at).getKey(), List.of(members.get(at).getValue())));
                    }
                }
                case EMPTY_ARRAY -> {
                    if (!members.isEmpty()) {
                        members.set(at, Map.entry(members.get(at).getKey(), List.of()));
                    }
                }
            }
            return replace(tree, chosen, new Obj(members));
        }
        List<Object> elements = new ArrayList<>((List<?>) chosen);
        int at = elements.isEmpty() ? 0 : pick.nextInt(elements.size());
        switch (mutation) {
            case REPLACE, DUPLICATE, ADD_UNKNOWN -> {
                if (elements.isEmpty() || mutation != Mutation.REPLACE) {
                    elements.add(at, value == null ? new Raw("null") : value);
                } else {
                    elements.set(at, value == null ? new Raw("null") : value);
                }
            }
            case REMOVE -> {
                if (!elements.isEmpty()) {
                    elements.remove(at);
                }
            }
            case WRAP_IN_ARRAY -> {
                if (!elements.isEmpty()) {
                    elements.set(at, List.of(elements.get(at)));
                }
            }
            case EMPTY_ARRAY -> elements.clear();
        }
        return replace(tree, chosen, elements);
    }

    private static void collect(Object node, List<Object> containers) {
        if (node instanceof Obj obj) {
            containers.add(obj);
            obj.members().forEach(m -> collect(m.getValue(), containers));
        } else if (node instanceof List<?> list) {
            containers.add(list);
            list.forEach(e -> collect(e, containers));
        }
    }

    /** The tree with the first occurrence of the node {@code old} (by identity) replaced. */
    private static Object replace(Object node, Object old, Object replacement) {
        return replace(node, old, replacement, new boolean[1]);
    }

    private static Object replace(Object node, Object old, Object replacement, boolean[] done) {
        if (done[0]) {
            return node;
        }
        if (node == old) {
            done[0] = true;
            return replacement;
        }
        if (node instanceof Obj obj) {
            List<Map.Entry<String, Object>> members = new ArrayList<>();
            for (Map.Entry<String, Object> member : obj.members()) {
                members.add(Map.entry(member.getKey(), replace(member.getValue(), old, replacement, done)));
            }
            return new Obj(members);
        }
        if (node instanceof List<?> list) {
            List<Object> elements = new ArrayList<>();
            for (Object element : list) {
                elements.add(replace(element, old, replacement, done));
            }
            return elements;
        }
        return node;
    }

    public static byte[] mutateBytes(byte[] body, ByteMutation mutation, int position, String garbage) {
        int at = body.length == 0 ? 0 : position % body.length;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        switch (mutation) {
            case NONE -> out.writeBytes(body);
            case TRUNCATE -> out.write(body, 0, at);
            case TRAILING -> {
                out.writeBytes(body);
                out.writeBytes(garbage.getBytes(StandardCharsets.UTF_8));
            }
            case INVALID_UTF8 -> {
                out.write(body, 0, at);
                out.writeBytes(new byte[] {(byte) 0xC3, (byte) 0x28, (byte) 0xFF});
                out.write(body, at, body.length - at);
            }
            case BOM -> {
                out.writeBytes(new byte[] {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF});
                out.writeBytes(body);
            }
            case OVERSIZED -> {
                out.writeBytes(body);
                out.writeBytes(" ".repeat(1024 * 1024).getBytes(StandardCharsets.UTF_8));
            }
        }
        return out.toByteArray();
    }

    /** Writes the tree as JSON text; strings are escaped as JSON requires, lone surrogates as \\u escapes. */
    public static byte[] write(Object node) {
        StringBuilder out = new StringBuilder();
        write(node, out);
        return out.toString().getBytes(StandardCharsets.UTF_8);
    }

    private static void write(Object node, StringBuilder out) {
        if (node == null) {
            out.append("null");
        } else if (node instanceof Raw raw) {
            out.append(raw.text());
        } else if (node instanceof String text) {
            out.append('"');
            for (char c : text.toCharArray()) {
                if (c == '"' || c == '\\') {
                    out.append('\\').append(c);
                } else if (c < 0x20 || Character.isSurrogate(c)) {
                    out.append(String.format("\\u%04x", (int) c));
                } else {
                    out.append(c);
                }
            }
            out.append('"');
        } else if (node instanceof Float f) {
            out.append(new BigDecimal(Float.toString(f)).toPlainString());
        } else if (node instanceof Number || node instanceof Boolean) {
            out.append(node);
        } else if (node instanceof Obj obj) {
            out.append('{');
            for (int i = 0; i < obj.members().size(); i++) {
                Map.Entry<String, Object> member = obj.members().get(i);
                out.append(i == 0 ? "" : ",");
                write(member.getKey(), out);
                out.append(':');
                write(member.getValue(), out);
            }
            out.append('}');
        } else if (node instanceof List<?> list) {
            out.append('[');
            for (int i = 0; i < list.size(); i++) {
                out.append(i == 0 ? "" : ",");
                write(list.get(i), out);
            }
            out.append(']');
        } else {
            throw new IllegalArgumentException("not a JSON value: " + node);
        }
    }
}
