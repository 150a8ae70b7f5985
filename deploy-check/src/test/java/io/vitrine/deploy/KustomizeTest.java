package io.vitrine.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The hand-written renderer generates, names, references, re-tags and places resources as Kustomize does. */
class KustomizeTest {

    private static final java.nio.file.Path FIXTURES = Repo.root().resolve("deploy-check/src/test/resources/fixtures");

    @Test
    void generatedConfigMapsGetKustomizesHashAndReferencesFollow() {
        List<ObjectNode> manifests = Kustomize.render(FIXTURES.resolve("hash"));
        String textName = generatedName(manifests, "text");
        String binaryName = generatedName(manifests, "binary");
        ObjectNode text = OverlaysTest.one(manifests, "ConfigMap", textName);
        ObjectNode binary = OverlaysTest.one(manifests, "ConfigMap", binaryName);
        assertEquals("a=1\nb=<two> & \"three\"\n", text.path("data").path("settings.properties").asText());
        assertEquals(1, binary.path("binaryData").size());
        ObjectNode app = OverlaysTest.one(manifests, "Deployment", "app");
        var spec = app.path("spec").path("template").path("spec");
        assertEquals(textName, spec.path("containers").get(0).path("env").get(0).path("valueFrom")
                .path("configMapKeyRef").path("name").asText());
        assertEquals(binaryName, spec.path("volumes").get(0).path("configMap").path("name").asText());
        assertEquals("registry.example/vitrine/selector:9.9", spec.path("containers").get(0).path("image").asText());
        manifests.forEach(m -> assertEquals("hash-test", m.path("metadata").path("namespace").asText()));
    }

    @Test
    void otherContentGivesAnotherName() {
        ObjectNode a = Repo.JSON.createObjectNode();
        a.putObject("metadata").put("name", "c");
        a.putObject("data").put("k", "1");
        ObjectNode b = a.deepCopy();
        ((ObjectNode) b.path("data")).put("k", "2");
        assertEquals(Kustomize.hash(a), Kustomize.hash(a.deepCopy()));
        assertEquals(false, Kustomize.hash(a).equals(Kustomize.hash(b)));
        assertEquals(true, Kustomize.hash(a).matches("[a-z0-9]{10}"));
    }

    private static String generatedName(List<ObjectNode> manifests, String name) {
        return manifests.stream().map(m -> m.path("metadata").path("name").asText())
                .filter(n -> n.matches(name + "-[a-z0-9]{10}")).findFirst()
                .orElseThrow(() -> new AssertionError("no generated ConfigMap " + name));
    }

    @Test
    void unsupportedKustomizeFeaturesAreRefusedRatherThanIgnored() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Kustomize.render(FIXTURES.resolve("unsupported")));
        assertEquals(true, e.getMessage().contains("'commonLabels' is not supported"), e.getMessage());
    }
}
