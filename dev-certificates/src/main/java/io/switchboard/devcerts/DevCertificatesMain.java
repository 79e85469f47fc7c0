package io.switchboard.devcerts;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * The command line of the generator, for scripts such as the local cluster's {@code up --tls}:
 * {@code java -jar switchboard-dev-certificates.jar --out DIR NAME...} writes {@code ca.crt} and each name's
 * {@code NAME.crt} and {@code NAME.key} into {@code DIR} and prints the files. Exits 2 on a bad argument.
 */
@Command(name = "dev-certificates", mixinStandardHelpOptions = true,
        description = "Writes a development CA (ca.crt) and a loopback leaf certificate per NAME (NAME.crt, NAME.key;"
                + " SANs localhost and 127.0.0.1, server and client use). Never for production.")
public final class DevCertificatesMain implements Callable<Integer> {
    @Option(names = "--out", required = true, description = "Directory to write into (created).")
    private Path out;

    @Parameters(arity = "1..*", paramLabel = "NAME", description = "Leaf names, e.g. router gateway.")
    private List<String> names;

    public static void main(String[] args) {
        System.exit(new CommandLine(new DevCertificatesMain()).execute(args));
    }

    @Override
    public Integer call() {
        Map<String, PemFiles> files = DevCertificates.generate(out, names);
        files.forEach((name, pem) -> System.out.println(name + ": " + pem.certificateChain() + " "
                + pem.privateKey()));
        System.out.println("ca: " + files.values().iterator().next().caBundle());
        return 0;
    }
}
