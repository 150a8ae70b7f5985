package io.vitrine.learner;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.nullValue;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import io.restassured.specification.RequestSpecification;
import io.smallrye.jwt.build.Jwt;
import io.vitrine.avro.AdminAction;
import io.vitrine.avro.AdminAudit;
import io.vitrine.avro.Candidate;
import io.vitrine.avro.ChosenCandidate;
import io.vitrine.avro.Click;
import io.vitrine.avro.Decision;
import io.vitrine.avro.Impression;
import io.vitrine.avro.Reward;
import io.vitrine.avro.SlotControl;
import io.vitrine.avro.SlotMode;
import io.vitrine.schemas.Topic;
import io.vitrine.service.LocalKafkaResource;
import java.security.KeyPairGenerator;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/**
 * The admin API on a real broker: every action refused without credentials, with wrong ones and with a role that
 * lacks the right, and nothing changes; with the admin role each action takes effect on the learning and its audit
 * event is on the admin-audit topic, beside the slot's state on slot-control.
 */
@QuarkusTest
@WithTestResource(value = LocalKafkaResource.class, scope = TestResourceScope.GLOBAL)
class AdminApiTest {

    private record Action(String method, String path, String body) {
    }

    private static List<Action> actions(String slot) {
        String base = "/v1/admin/slots/" + slot;
        return List.of(new Action("POST", base + "/pause", null),
                new Action("POST", base + "/resume", null),
                new Action("PUT", base + "/exploration", "{\"share\": 0.3}"),
                new Action("PUT", base + "/mode", "{\"mode\": \"APPRENTICE\"}"),
                new Action("POST", base + "/reset", null));
    }

    private static Response call(Action action, Function<RequestSpecification, RequestSpecification> auth) {
        RequestSpecification request = auth.apply(given());
        if (action.body() != null) {
            request = request.contentType("application/json").body(action.body());
        }
        return action.method().equals("POST") ? request.post(action.path()) : request.put(action.path());
    }

    static String token(String subject, String... groups) {
        return Jwt.issuer("vitrine").subject(subject).groups(Set.of(groups)).expiresIn(Duration.ofMinutes(5)).sign();
    }

    @Test
    void everyActionIsRefusedWithoutTheRightCredentialsAndNothingChanges() throws Exception {
        String slot = "refused/hero-" + System.nanoTime();
        var foreign = KeyPairGenerator.getInstance("RSA");
        foreign.initialize(2048);
        String signedElsewhere = Jwt.issuer("vitrine").subject("mallory").groups(AdminResourceRoles.ADMIN)
                .sign(foreign.generateKeyPair().getPrivate());
        String expired = Jwt.issuer("vitrine").subject("alice").groups(AdminResourceRoles.ADMIN)
                .issuedAt(Instant.now().minusSeconds(7200)).expiresAt(Instant.now().minusSeconds(3600)).sign();
        String otherIssuer = Jwt.issuer("someone-else").subject("alice").groups(AdminResourceRoles.ADMIN).sign();
        String viewer = token("victor", AdminResourceRoles.VIEWER);

        for (Action action : actions(slot)) {
            call(action, r -> r).then().log().ifValidationFails().statusCode(401);
            call(action, r -> r.header("Authorization", "Bearer not-a-token")).then().statusCode(401);
            call(action, r -> r.header("Authorization", "Basic YWRtaW46YWRtaW4=")).then().statusCode(401);
            call(action, r -> r.auth().oauth2(signedElsewhere)).then().statusCode(401);
            call(action, r -> r.auth().oauth2(expired)).then().statusCode(401);
            call(action, r -> r.auth().oauth2(otherIssuer)).then().statusCode(401);
            call(action, r -> r.auth().oauth2(viewer)).then().log().ifValidationFails().statusCode(403);
        }
        given().get("/v1/admin/slots/" + slot).then().statusCode(401).contentType("application/problem+json")
                .header("WWW-Authenticate", "Bearer");
        // The other endpoints ignore a stray Authorization header.
        given().header("Authorization", "Bearer not-a-token").get("/v1/posteriors/" + slot + "@enc").then()
                .statusCode(org.hamcrest.Matchers.oneOf(404, 503));
        given().auth().oauth2(viewer).post("/v1/admin/slots/" + slot + "/reset").then().statusCode(403)
                .contentType("application/problem+json").body("title", equalTo("Forbidden"));
        given().auth().oauth2(viewer).get("/v1/admin/slots/" + slot).then().log().ifValidationFails()
                .statusCode(200)
                .body("learning", equalTo(true)).body("exploration", nullValue()).body("mode", equalTo("ONLINE"))
                .body("resetAt", nullValue()).body("changedAt", nullValue());
        // Read after an action of another slot went through, so that the topics are known to be read far enough.
        String marker = "refused/marker-" + System.nanoTime();
        given().auth().oauth2(token("alice", AdminResourceRoles.ADMIN)).post("/v1/admin/slots/" + marker + "/pause")
                .then().statusCode(200);
        // The action answers once its transaction is committed; the commit markers reach the topic's partitions a
        // moment later, and a read-committed reader sees the records only then: read again until the marker shows.
        assertEquals(1, auditsOf(marker, 1).size(), "the marker's audit event is read");
        List<AdminAudit> audits = LearnerServiceTest.readAll(Topic.ADMIN_AUDIT, AdminAudit.class);
        assertTrue(audits.stream().noneMatch(a -> a.getSlot().equals(slot)), "no audit event of a refused action");
        assertTrue(LearnerServiceTest.readAll(Topic.SLOT_CONTROL, SlotControl.class).stream()
                .noneMatch(c -> c.getSlot().equals(slot)), "no state of a refused action");
    }

    @Test
    void eachActionWithTheAdminRoleTakesEffectAndIsAudited() throws Exception {
        String slot = "admin/hero-" + System.nanoTime();
        String scope = slot + "@enc";
        String admin = token("alice", AdminResourceRoles.ADMIN);
        String posterior = "/v1/posteriors/" + scope;

        learnOneClick(slot, scope);
        awaitPosterior(posterior, 1);

        given().auth().oauth2(admin).post("/v1/admin/slots/" + slot + "/pause").then().log().ifValidationFails()
                .statusCode(200).body("state.learning", equalTo(false)).body("action", equalTo("PAUSE_LEARNING"));
        double heldBefore = heldBack("paused");
        learnOneClick(slot, scope);
        awaitMetricAbove("paused", heldBefore);
        given().get(posterior).then().statusCode(200).body("version", equalTo(1)).body("n", equalTo(1.0f));

        given().auth().oauth2(admin).post("/v1/admin/slots/" + slot + "/resume").then().statusCode(200)
                .body("state.learning", equalTo(true));
        learnOneClick(slot, scope);
        awaitPosterior(posterior, 2);

        given().auth().oauth2(admin).contentType("application/json").body("{\"share\": 0.3}")
                .put("/v1/admin/slots/" + slot + "/exploration").then().statusCode(200)
                .body("state.exploration", equalTo(0.3f));
        given().auth().oauth2(admin).contentType("application/json").body("{\"share\": 1.5}")
                .put("/v1/admin/slots/" + slot + "/exploration").then().statusCode(400)
                .contentType("application/problem+json");
        given().auth().oauth2(admin).contentType("application/json").body("{\"mode\": \"APPRENTICE\"}")
                .put("/v1/admin/slots/" + slot + "/mode").then().statusCode(200)
                .body("state.mode", equalTo("APPRENTICE"));
        given().auth().oauth2(admin).contentType("application/json").body("{\"mode\": \"SHADOW\"}")
                .put("/v1/admin/slots/" + slot + "/mode").then().statusCode(400);

        given().auth().oauth2(admin).post("/v1/admin/slots/" + slot + "/reset").then().statusCode(200)
                .body("state.resetAt", org.hamcrest.Matchers.notNullValue());
        // The sweep empties the slot's statistics: the prior again, under the next version.
        awaitPosterior(posterior, 3);
        given().get(posterior).then().statusCode(200).body("n", equalTo(0.0f));

        given().auth().oauth2(token("victor", AdminResourceRoles.VIEWER)).get("/v1/admin/slots/" + slot).then()
                .statusCode(200).body("learning", equalTo(true)).body("exploration", equalTo(0.3f))
                .body("mode", equalTo("APPRENTICE")).body("changedBy", equalTo("alice"));

        List<AdminAudit> audits = auditsOf(slot, 5);
        assertEquals(List.of(AdminAction.PAUSE_LEARNING, AdminAction.RESUME_LEARNING, AdminAction.SET_EXPLORATION,
                AdminAction.SET_MODE, AdminAction.RESET), audits.stream().map(AdminAudit::getAction).toList(),
                "one audit event per action that took effect, in order; none for the refused bodies");
        for (AdminAudit audit : audits) {
            assertEquals("alice", audit.getActor());
            assertEquals(List.of(AdminResourceRoles.ADMIN), audit.getRoles());
            assertNotNull(audit.getRemoteAddress());
        }
        assertNull(audits.get(0).getBefore(), "the slot was never set before");
        assertEquals(false, audits.get(0).getAfter().getLearning());
        assertEquals(false, audits.get(1).getBefore().getLearning());
        assertEquals("0.3", audits.get(2).getParameters().get("share"));
        assertEquals(SlotMode.APPRENTICE, audits.get(3).getAfter().getMode());
        assertEquals(audits.get(4).getAt(), audits.get(4).getAfter().getResetAt());
        SlotControl last = LearnerServiceTest.readAll(Topic.SLOT_CONTROL, SlotControl.class).stream()
                .filter(c -> c.getSlot().equals(slot)).reduce((a, b) -> b).orElseThrow();
        assertEquals(audits.get(4).getAfter(), last, "the slot's state on slot-control is the last action's");
    }

    /**
     * The slot's audit events once at least {@code expected} are readable (commit markers reach the partitions a
     * moment after the action's answer), or as many as there are after 30 s.
     */
    private static List<AdminAudit> auditsOf(String slot, int expected) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (true) {
            List<AdminAudit> audits = LearnerServiceTest.readAll(Topic.ADMIN_AUDIT, AdminAudit.class).stream()
                    .filter(a -> a.getSlot().equals(slot)).toList();
            if (audits.size() >= expected || System.nanoTime() > deadline) {
                return audits;
            }
            Thread.sleep(200);
        }
    }

    /** A decision of the slot, shown and clicked: one reward, once the attribution window closed. */
    private static void learnOneClick(String slot, String scope) throws Exception {
        String requestId = "admin-" + System.nanoTime();
        Instant now = Instant.now();
        LearnerServiceTest.send(Topic.DECISIONS, requestId, Decision.newBuilder()
                .setRequestId(requestId).setSlot(slot).setScope(scope).setTimestamp(now)
                .setContext(List.of(1f)).setCandidates(List.of(new Candidate("a", List.of(1f))))
                .setK(1).setChosen(List.of(new ChosenCandidate("a", 0, 0.1, 0.1, 1.0, List.of(1f, 0.5f), null)))
                .setSeed(3L).setEncoderVersion("enc").setPosteriorVersion(0L).setPropensitySamples(1).build(), now);
        LearnerServiceTest.send(Topic.IMPRESSIONS, requestId, new Impression(requestId, "a", now.plusMillis(10)),
                now.plusMillis(10));
        LearnerServiceTest.send(Topic.CLICKS, requestId, new Click(requestId, "a", now.plusMillis(50), null),
                now.plusMillis(50));
        LearnerServiceTest.readFirst(Topic.REWARDS, Reward.class, r -> r.getRequestId().equals(requestId));
    }

    private static void awaitPosterior(String path, int version) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (System.nanoTime() < deadline) {
            Response answer = given().get(path);
            if (answer.statusCode() == 200 && answer.jsonPath().getInt("version") >= version) {
                assertEquals(version, answer.jsonPath().getInt("version"), path);
                return;
            }
            Thread.sleep(100);
        }
        throw new AssertionError(path + " did not reach version " + version + ": " + given().get(path).asString());
    }

    private static double heldBack(String reason) {
        String metrics = given().get("/q/metrics").then().statusCode(200).extract().asString();
        var m = java.util.regex.Pattern.compile("(?m)^vitrine_rewards_held_back_total\\{reason=\"" + reason
                + "\"\\} ([0-9.eE+-]+)$").matcher(metrics);
        return m.find() ? Double.parseDouble(m.group(1)) : 0;
    }

    private static void awaitMetricAbove(String reason, double before) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (heldBack(reason) <= before) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("no reward held back (" + reason + ")");
            }
            Thread.sleep(100);
        }
    }

    /** The role names, as a token's groups. */
    static final class AdminResourceRoles {
        static final String ADMIN = io.vitrine.learner.admin.AdminResource.ADMIN;
        static final String VIEWER = io.vitrine.learner.admin.AdminResource.VIEWER;
    }
}
