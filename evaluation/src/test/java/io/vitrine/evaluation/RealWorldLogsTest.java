package io.vitrine.evaluation;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Logs as pandas, Apache Arrow (Parquet) and the Decision Service write them: the fixtures under
 * {@code src/test/resources/logs}, made by {@code make_fixtures.py} and {@code make_parquet.mjs} there. The same
 * 240 rounds are in every file.
 */
class RealWorldLogsTest {

    @TempDir
    Path dir;

    static Path fixture(String name) throws Exception {
        return Path.of(RealWorldLogsTest.class.getResource("/logs/" + name).toURI());
    }

    private static List<LoggedRound> read(String name) throws Exception {
        LogReader.Result result = new LogReader(ColumnMapping.publicLayout(), false).read(fixture(name));
        assertEquals(0, result.skipped());
        return result.rounds();
    }

    @Test
    void pandasCsvWithItsIndexColumnReadsWithTheDefaultMapping() throws Exception {
        List<LoggedRound> rounds = read("pandas-index.csv");
        assertEquals(240, rounds.size());
        // The first data line: 0,2019-11-24 00:00:00,10,1,0,0.08333333333333333,<hash>,-1.4084,7.339673271905543e-05,...
        LoggedRound first = rounds.get(0);
        assertEquals(10, first.action());
        assertEquals(12, first.actions());
        assertEquals("1", first.slot());
        assertEquals(0, first.reward());
        assertEquals(1.0 / 12, first.propensity(), 1e-15);
        assertEquals(3, first.context().length, "user_feature_0..2: the index column and the rest are not context");
        assertEquals(-1.4084f, first.context()[1]);
        assertEquals(7.339673271905543e-05f, first.context()[2], "a value written with an exponent");
        assertTrue(first.context()[0] >= 0 && first.context()[0] < 1, "a hashed categorical feature becomes a code");
        assertEquals(0f, rounds.get(5).context()[1], "pandas writes NaN as an empty cell, read as 0");
        assertTrue(rounds.stream().anyMatch(r -> r.reward() == 1));
    }

    @ParameterizedTest
    @ValueSource(strings = {"pandas-index.csv.gz", "pandas-excel.csv", "pandas-records.jsonl",
            "pandas-records.jsonl.gz", "arrow.parquet"})
    void everyWriterGivesTheSameRounds(String name) throws Exception {
        List<LoggedRound> reference = read("pandas-index.csv");
        List<LoggedRound> rounds = read(name);
        assertEquals(reference.size(), rounds.size());
        for (int t = 0; t < rounds.size(); t++) {
            LoggedRound a = reference.get(t);
            LoggedRound b = rounds.get(t);
            String at = name + " round " + t;
            assertEquals(a.action(), b.action(), at);
            assertEquals(a.actions(), b.actions(), at);
            assertEquals(a.reward(), b.reward(), at);
            assertEquals(a.slot(), b.slot(), at);
            // pandas' JSON keeps 10 digits of a double.
            assertEquals(a.propensity(), b.propensity(), 1e-10, at);
            assertEquals(a.context()[0], b.context()[0], at + ": the same text gives the same code");
            assertEquals(a.context()[1], b.context()[1], 1e-6, at);
            assertEquals(a.context()[2], b.context()[2], 1e-9, at);
        }
    }

    @Test
    void itemFeaturesAreJoinedByActionId() throws Exception {
        ItemFeatures items = ItemFeatures.read(fixture("item_context.csv"), "item_id", "item_feature_");
        List<LoggedRound> rounds = new LogReader(ColumnMapping.publicLayout(), false, items)
                .read(fixture("pandas-index.csv")).rounds();
        // item_context.csv, line 2: 0,0,-1.603973,<hash>
        float[][] candidates = rounds.get(0).candidates();
        assertNotNull(candidates);
        assertEquals(12, candidates.length);
        assertEquals(-1.603973f, candidates[0][0]);
        assertEquals(2, candidates[0].length);
        assertTrue(rounds.stream().allMatch(r -> r.candidates() == candidates), "one matrix shared by every round");
        assertNull(read("pandas-index.csv").get(0).candidates());
    }

    @Test
    void anActionWithoutAnItemRowIsNamed() throws Exception {
        Path items = dir.resolve("items.csv");
        List<String> lines = Files.readAllLines(fixture("item_context.csv"));
        Files.write(items, lines.subList(0, 11)); // ids 0 to 9: the log takes 10 and 11 too
        ItemFeatures features = ItemFeatures.read(items, "item_id", "item_feature_");
        LogFormatException e = assertThrows(LogFormatException.class,
                () -> new LogReader(ColumnMapping.publicLayout(), false, features).read(fixture("pandas-index.csv")));
        assertTrue(e.getMessage().contains("pandas-index.csv: line 2 (item_id): action 10 has no row in the item "
                + "features file " + items), e.getMessage());
    }

    @Test
    void decisionServiceLogGivesTheSameRoundsWithTheActionsFeatures() throws Exception {
        List<LoggedRound> reference = read("pandas-index.csv");
        List<LoggedRound> rounds = read("decision-service.json");
        assertEquals(reference.size(), rounds.size());
        for (int t = 0; t < rounds.size(); t++) {
            assertEquals(reference.get(t).action(), rounds.get(t).action());
            assertEquals(reference.get(t).reward(), rounds.get(t).reward(), "reward = -_label_cost");
            assertEquals(reference.get(t).propensity(), rounds.get(t).propensity(), 1e-15);
        }
        LoggedRound first = rounds.get(0);
        assertEquals(12, first.actions());
        assertEquals(12, first.candidates().length);
        // c.User holds f0 (text), f1, f2; each action i.constant, i.id and j[0].f0, j[0].f1.
        assertEquals(3, first.context().length);
        assertEquals(4, first.candidates()[0].length);
        ItemFeatures items = ItemFeatures.read(fixture("item_context.csv"), "item_id", "item_feature_");
        float[][] fromItems = items.matrix(12);
        for (int a = 0; a < 12; a++) {
            float[] row = first.candidates()[a];
            assertTrue(row[2] == fromItems[a][0] || row[0] == fromItems[a][0] || row[1] == fromItems[a][0]
                    || row[3] == fromItems[a][0], "action " + a + " carries item_feature_0");
        }
    }

    @Test
    void everyFixtureEvaluatesWithNoOption() throws Exception {
        for (String name : List.of("pandas-index.csv", "pandas-excel.csv", "pandas-index.csv.gz",
                "pandas-records.jsonl", "arrow.parquet", "decision-service.json")) {
            EvaluateRun run = EvaluateRun.of(fixture(name).toString(), "--replicates", "50");
            assertEquals(0, run.exit(), name + ": " + run.err());
            assertTrue(run.err().contains("240 rounds read"), run.err());
        }
    }

    @Test
    void malformedFilesNameFileLineColumnAndWhatWasExpected() throws Exception {
        assertError("bad-propensity.csv", "bad-propensity.csv: line 9, column 6 (propensity_score): "
                + "expected a propensity in (0, 1], found '0.0'");
        assertError("bad-action.csv", "bad-action.csv: line 5, column 3 (item_id): "
                + "expected an action id, an integer from 0, found 'banner-7'");
        assertError("bad-extra-value.csv", "bad-extra-value.csv: line 4, column 11: "
                + "expected 10 values as in the header (line 1), found 11");
        assertError("bad-quote.csv", "bad-quote.csv: line 5: not valid CSV: expected a closing quote (\") for the quoted value "
                + "opened on line 5, found the end of the file");
        assertError("bad-truncated.jsonl", "bad-truncated.jsonl: line 3, column 61: not valid JSON");
        assertError("bad-decision-service.json", "bad-decision-service.json: line 2, field _label_probability: "
                + "expected a probability in (0, 1], found no such field");
    }

    private static void assertError(String name, String expected) throws Exception {
        EvaluateRun run = EvaluateRun.of(fixture(name).toString());
        assertEquals(1, run.exit(), run.err());
        assertTrue(run.err().contains("evaluate: " + fixture(name).getParent().resolve(name) + ": "
                + expected.substring(name.length() + 2)), run.err());
    }

    @Test
    void lenientModeSkipsAndCountsTheBadRowsAndKeepsTheRest() throws Exception {
        LogReader.Result result = new LogReader(ColumnMapping.publicLayout(), true).read(fixture("bad-propensity.csv"));
        assertEquals(11, result.rounds().size());
        assertEquals(1, result.skipped());
        assertTrue(result.skipReasons().get(0).contains("line 9, column 6"), result.skipReasons().toString());
        LogReader.Result json = new LogReader(ColumnMapping.publicLayout(), true).read(fixture("bad-truncated.jsonl"));
        assertEquals(5, json.rounds().size());
        assertEquals(1, json.skipped());
    }

    @Test
    void aFileThatIsNotParquetSaysSo() throws Exception {
        Path fake = dir.resolve("log.parquet");
        Files.copy(fixture("pandas-index.csv"), fake);
        LogFormatException e = assertThrows(LogFormatException.class,
                () -> new LogReader(ColumnMapping.publicLayout(), false).read(fake));
        assertTrue(e.getMessage().startsWith(fake + ": not a readable Parquet file"), e.getMessage());
    }

    @Test
    void tabSeparatedWithRStyleMissingValuesReads() throws Exception {
        Path tsv = dir.resolve("log.tsv");
        Files.write(tsv, List.of("\"\"\t\"item_id\"\t\"click\"\t\"propensity_score\"\t\"user_feature_0\"",
                "\"1\"\t2\t0\t0.5\tNA", "\"2\"\t1\t1\t5e-01\t0.25"));
        List<LoggedRound> rounds = new LogReader(ColumnMapping.publicLayout(), false).read(tsv).rounds();
        assertEquals(2, rounds.size());
        assertArrayEquals(new float[] {0}, rounds.get(0).context());
        assertEquals(0.5, rounds.get(1).propensity());
    }

    @Test
    void hashedFeaturesThatLookLikeNumbersToJavaStayText() {
        // Hex hashes as in the public data sets: Java's parser would read the first as 3.9e71234 (infinite) and
        // the second as the double 123 (a 'd' suffix).
        assertTrue(LogReader.feature("0000000000000000394e71234") < 1);
        assertTrue(LogReader.feature("0000000000000000123d") < 1);
        assertEquals(1.5e-5f, LogReader.feature("1.5e-05"));
        assertEquals(-3f, LogReader.feature("-3."));
        assertTrue(Double.isNaN(LogReader.number("12f")));
        assertTrue(Double.isNaN(LogReader.number("0x1p3")));
    }

    @Test
    void theDirectMethodGetsAFiniteEstimateOnEveryFixture() throws Exception {
        for (String name : List.of("pandas-index.csv", "arrow.parquet", "decision-service.json")) {
            List<LoggedRound> rounds = read(name);
            for (LoggedRound r : rounds) {
                for (float x : r.context()) {
                    assertTrue(Float.isFinite(x), name + ": " + java.util.Arrays.toString(r.context()));
                }
            }
            ScoredRound[] scored = Evaluator.score(rounds, TargetPolicies.uniform(), 1);
            assertTrue(Double.isFinite(new DirectMethod().estimate(scored, Evaluator.everyRound(scored.length))),
                    name);
        }
    }
}
