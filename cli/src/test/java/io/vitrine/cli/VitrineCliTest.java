package io.vitrine.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import picocli.CommandLine;

class VitrineCliTest {

    private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    private final PrintStream stream = new PrintStream(bytes, true, StandardCharsets.UTF_8);

    private int run(StringWriter out, StringWriter err, String... args) {
        CommandLine cli = VitrineCli.commandLine(stream, stream);
        cli.setOut(new PrintWriter(out));
        cli.setErr(new PrintWriter(err));
        return cli.execute(args);
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "demo", "kafka", "simulate", "train-encoder"})
    void everyCommandHasHelp(String command) {
        StringWriter out = new StringWriter();
        String[] args = command.isEmpty() ? new String[] {"--help"} : new String[] {command, "--help"};
        assertEquals(0, run(out, new StringWriter(), args));
        assertTrue(out.toString().startsWith("Usage: vitrine" + (command.isEmpty() ? "" : " " + command)), out.toString());
    }

    @Test
    void aMissingCommandIsAUsageError() {
        StringWriter err = new StringWriter();
        assertEquals(2, run(new StringWriter(), err));
        assertTrue(err.toString().contains("Missing command"), err.toString());
    }

    @Test
    void aBadDurationIsAUsageError() {
        StringWriter err = new StringWriter();
        assertEquals(2, run(new StringWriter(), err, "simulate", "--attribution-window", "soon"));
        assertTrue(err.toString().contains("is not a duration"), err.toString());
    }

    @Test
    void durationsReadLikeTheServicesReadThem() {
        assertEquals(Duration.ofMillis(500), DurationConverter.parse("500ms"));
        assertEquals(Duration.ofSeconds(2), DurationConverter.parse("2s"));
        assertEquals(Duration.ofSeconds(3), DurationConverter.parse("3"));
        assertEquals(Duration.ofMinutes(1), DurationConverter.parse("1m"));
        assertEquals(Duration.ofHours(1), DurationConverter.parse("1h"));
        assertEquals(Duration.ofSeconds(2), DurationConverter.parse("PT2S"));
        assertThrows(CommandLine.TypeConversionException.class, () -> DurationConverter.parse("2 weeks"));
    }
}
