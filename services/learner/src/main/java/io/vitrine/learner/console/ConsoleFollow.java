package io.vitrine.learner.console;

import java.util.function.BooleanSupplier;

/** Whether the console's feeds read the rewards and decisions topics now ({@code vitrine.console.follow}). */
@FunctionalInterface
public interface ConsoleFollow extends BooleanSupplier {
}
