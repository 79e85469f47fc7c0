package io.switchboard.bench.codec;

import java.util.concurrent.TimeUnit;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.util.JsonFormat;
import io.switchboard.gateway.ws.ProtocolViolation;
import io.switchboard.gateway.ws.Subprotocol;
import io.switchboard.proto.client.v1.ClientFrame;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The cost of reading one JSON Connect frame as the gateway does ({@code switchboard.v1.json}'s codec, which reads
 * Connect with its streaming reader) beside protobuf's {@code JsonFormat} alone (what it did before, less the number
 * guard that ran first). The frame is what the SDKs send: an HS256 token of the load generator's size and a client
 * name. One connection's frames are read by one thread, so one benchmark thread.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class JsonConnectDecodeBenchmark {
    private static final String CONNECT = "{\"connect\":{\"token\":\"eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9."
            + "eyJzdWIiOiJsb2FkLXVzZXItMTIzNDUiLCJleHAiOjE3OTk5OTk5OTksInJvb21zIjp7InJvb20tNDIiOlsic3Vic2NyaWJlIiwi"
            + "cHVibGlzaCJdfX0.8Zb4n9yq2Hh1mT0QnZ0w2p3x4c5v6b7n8m9l0k1j2h3\",\"client\":\"switchboard-ts/0.1.0\"}}";
    private static final JsonFormat.Parser JSON_FORMAT = JsonFormat.parser();

    @Benchmark
    public ClientFrame gatewayCodec() throws ProtocolViolation {
        return Subprotocol.JSON.codec().decode(CONNECT);
    }

    @Benchmark
    public ClientFrame jsonFormatOnly() throws InvalidProtocolBufferException {
        ClientFrame.Builder b = ClientFrame.newBuilder();
        JSON_FORMAT.merge(CONNECT, b);
        return b.build();
    }
}
