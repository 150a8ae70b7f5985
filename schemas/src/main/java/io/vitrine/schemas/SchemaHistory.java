package io.vitrine.schemas;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import org.apache.avro.Schema;
import org.apache.avro.message.SchemaStore;

/**
 * Every released version of every schema, kept in the tree under {@code schemas/versions/<Record>/v<N>.avsc}
 * (on the classpath under {@code io/vitrine/schemas/versions}). Versions are numbered from 1 without gaps;
 * the newest must equal the schema the classes were generated from (a test checks it).
 *
 * <p>A registry-less reader resolves any writer version through {@link #store(Class)}.
 */
public final class SchemaHistory {

    private static final String ROOT = "io/vitrine/schemas/versions/";

    private SchemaHistory() {
    }

    /** Released versions of a record, oldest first; empty when none was released yet. */
    public static List<Schema> versions(String recordName) {
        ClassLoader loader = SchemaHistory.class.getClassLoader();
        List<Schema> versions = new ArrayList<>();
        for (int v = 1; ; v++) {
            String resource = ROOT + recordName + "/v" + v + ".avsc";
            try (InputStream in = loader.getResourceAsStream(resource)) {
                if (in == null) {
                    return versions;
                }
                versions.add(new Schema.Parser().parse(in));
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read schema version " + resource, e);
            }
        }
    }

    /** A schema store holding every released version of the record plus its current schema. */
    public static SchemaStore.Cache store(Schema current) {
        SchemaStore.Cache cache = new SchemaStore.Cache();
        cache.addSchema(current);
        for (Schema version : versions(current.getName())) {
            cache.addSchema(version);
        }
        return cache;
    }
}
