package io.vitrine.cli.stack;

import io.vitrine.kafka.FreePorts;

/** Port checks done before starting anything, so a busy port fails early and clearly. */
public final class Ports {

    private Ports() {
    }

    /** True when nothing listens on the port (on any address). */
    public static boolean isFree(int port) {
        return FreePorts.isFree(port);
    }

    /** Fails with the option to change when the port is taken. */
    public static void requireFree(int port, String what, String option) throws StackException {
        if (port < 1 || port > 65535) {
            throw new StackException(what + " port " + port + " is not a valid port");
        }
        if (!isFree(port)) {
            throw new StackException("port " + port + " (" + what + ") is already in use: stop whatever listens on it"
                    + " (an earlier run?) or choose another port with " + option);
        }
    }

    /** A port that was free a moment ago, for tests. */
    public static int anyFree() {
        return FreePorts.next();
    }
}
