package io.switchboard.bench;

import picocli.CommandLine.Option;

/** The {@code --gateways} option of the benchmarks that start a Switchboard cluster. Filled by picocli, then read-only. */
public final class SwitchboardGateways {
    // The field's name is the option's parameter label in --help.
    @Option(names = "--gateways", defaultValue = "2", description = "Switchboard gateways (default: ${DEFAULT-VALUE}).")
    int gateways;

    /** How many gateways the started cluster runs. */
    public int count() {
        return gateways;
    }
}
