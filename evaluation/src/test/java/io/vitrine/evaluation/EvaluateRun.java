package io.vitrine.evaluation;

import java.io.PrintWriter;
import java.io.StringWriter;
import picocli.CommandLine;

/** One run of {@code vitrine evaluate} in the test JVM: its exit code and what it printed. */
record EvaluateRun(int exit, String out, String err) {

    static EvaluateRun of(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cli = new CommandLine(new EvaluateCommand());
        cli.setOut(new PrintWriter(out));
        cli.setErr(new PrintWriter(err));
        int exit = cli.execute(args);
        return new EvaluateRun(exit, out.toString(), err.toString());
    }
}
