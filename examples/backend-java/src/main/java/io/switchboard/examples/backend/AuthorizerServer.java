package io.switchboard.examples.backend;

import io.grpc.Grpc;
import io.grpc.InsecureServerCredentials;
import io.grpc.Server;
import java.io.IOException;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Serves {@link TeamAuthorizer} for gateways configured with {@code gateway.authz.backend.address}.
 *
 * <pre>
 * java -cp switchboard-example-backend.jar io.switchboard.examples.backend.AuthorizerServer --port 7300
 * </pre>
 */
@Command(name = "AuthorizerServer", mixinStandardHelpOptions = true,
        description = "Serves the example TeamAuthorizer (switchboard.api.v1.Authorizer) over plaintext gRPC.")
public final class AuthorizerServer implements Callable<Integer> {
    @Option(names = "--port", paramLabel = "PORT", required = true, description = "Port to serve on (0: a free one).")
    private int port;

    private AuthorizerServer() {
    }

    public static void main(String[] args) {
        System.exit(new CommandLine(new AuthorizerServer()).execute(args));
    }

    @Override
    public Integer call() throws IOException, InterruptedException {
        Server server = Grpc.newServerBuilderForPort(port, InsecureServerCredentials.create())
                .addService(new TeamAuthorizer()).build().start();
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            server.shutdown();
            try {
                server.awaitTermination(5, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }));
        System.out.println("Authorizer listening on :" + server.getPort());
        server.awaitTermination();
        return 0;
    }
}
