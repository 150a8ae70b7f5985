package io.vitrine.cli;

import java.io.PrintStream;
import io.vitrine.cli.forms.EncoderFormsCommand;
import io.vitrine.cli.train.TrainEncoderCommand;
import io.vitrine.evaluation.CoverageCommand;
import io.vitrine.evaluation.EvaluateCommand;
import io.vitrine.quality.QualityCommand;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * The {@code vitrine} command line: the local demo, the local broker, the simulator, the quality report and the
 * encoder training from the reward log.
 */
@Command(name = "vitrine", mixinStandardHelpOptions = true, versionProvider = VitrineCli.Version.class,
        description = "Vitrine chooses what to show each visitor and learns online from impressions and clicks"
                + " (neural-linear Thompson sampling on Kafka).",
        subcommands = {DemoCommand.class, KafkaCommand.class, TopicsCommand.class, SimulateCommand.class, QualityCommand.class,
            TrainEncoderCommand.class, EncoderFormsCommand.class, EvaluateCommand.class, CoverageCommand.class,
            CommandLine.HelpCommand.class},
        footer = {"", "Start with: ./vitrine demo"})
public final class VitrineCli implements Runnable {

    private final PrintStream out;
    private final PrintStream err;

    @Spec
    CommandSpec spec;

    public VitrineCli(PrintStream out, PrintStream err) {
        this.out = out;
        this.err = err;
    }

    public static void main(String[] args) {
        System.exit(commandLine(System.out, System.err).execute(args));
    }

    /** The configured command line, also used by tests. */
    public static CommandLine commandLine(PrintStream out, PrintStream err) {
        CommandLine cli = new CommandLine(new VitrineCli(out, err));
        // Expected failures are explained in one line; a stack trace helps nobody running a demo.
        cli.setExecutionExceptionHandler((e, commandLine, parseResult) -> {
            String message = e.getMessage() != null ? e.getMessage() : e.toString();
            commandLine.getErr().println(commandLine.getCommandName() + ": " + message);
            return 1;
        });
        return cli;
    }

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "Missing command: demo, kafka, simulate, quality or train-encoder");
    }

    PrintStream out() {
        return out;
    }

    PrintStream err() {
        return err;
    }

    /** The version from the jar manifest, when there is one. */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String version = VitrineCli.class.getPackage().getImplementationVersion();
            return new String[] {"vitrine " + (version != null ? version : "(development build)")};
        }
    }
}
