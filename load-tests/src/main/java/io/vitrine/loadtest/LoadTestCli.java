package io.vitrine.loadtest;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code java -jar load-tests/target/vitrine-load-tests.jar <scenario>}: the load tests as commands. */
@Command(name = "vitrine-load", mixinStandardHelpOptions = true,
        description = "Load tests of the packaged services: open loop (a fixed arrival rate, latency from the intended "
                + "send time), each with its baseline measured in the same run.",
        subcommands = CommandLine.HelpCommand.class)
public final class LoadTestCli implements Runnable {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    public static void main(String[] args) {
        System.exit(run(args));
    }

    /** Runs a command line and returns its exit code. */
    public static int run(String... args) {
        CommandLine line = new CommandLine(new LoadTestCli());
        line.addSubcommand(new HttpLoadCommand(System.out, System.err));
        line.addSubcommand(new LearnerLoadCommand(System.out, System.err));
        line.addSubcommand(new TopicLoadCommand(System.out, System.err));
        return line.execute(args);
    }

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }
}
