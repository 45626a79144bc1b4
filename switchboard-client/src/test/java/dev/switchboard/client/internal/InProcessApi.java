package dev.switchboard.client.internal;

import dev.switchboard.core.session.SessionId;
import dev.switchboard.protocol.SwitchboardException;
import dev.switchboard.protocol.thrift.AckRequest;
import dev.switchboard.protocol.thrift.AckResponse;
import dev.switchboard.protocol.thrift.AllocateRequest;
import dev.switchboard.protocol.thrift.AllocateResponse;
import dev.switchboard.protocol.thrift.CommitRequest;
import dev.switchboard.protocol.thrift.CommitResponse;
import dev.switchboard.protocol.thrift.DisposeRequest;
import dev.switchboard.protocol.thrift.DisposeResponse;
import dev.switchboard.protocol.thrift.ReadRequest;
import dev.switchboard.protocol.thrift.ReadResponse;
import dev.switchboard.protocol.thrift.SwitchRequest;
import dev.switchboard.protocol.thrift.SwitchResponse;
import dev.switchboard.protocol.thrift.Switchboard;
import dev.switchboard.protocol.thrift.SwitchboardError;
import dev.switchboard.protocol.thrift.WriteRequest;
import dev.switchboard.protocol.thrift.WriteResponse;
import dev.switchboard.switching.Switch;
import java.time.Duration;
import java.util.Arrays;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.thrift.TException;
import org.apache.thrift.protocol.TCompactProtocol;
import org.apache.thrift.transport.TMemoryBuffer;
import org.apache.thrift.transport.TMemoryInputTransport;

/**
 * A minimal API tier inside the test JVM: it decodes the SDK's Thrift call with the generated processor and
 * routes it through a real {@link Switch}, exactly as the API tier does minus HTTP and authentication. It can
 * lose requests and answers at random, like a flaky network, to test the SDK's retries without sockets.
 */
final class InProcessApi implements Exchanger {
    private final Switchboard.Processor<Switchboard.Iface> processor;
    private final Random random;
    private final double lossRate;
    private final AtomicInteger exchanges = new AtomicInteger();
    private final AtomicInteger lost = new AtomicInteger();
    /** How many calls of each name the API tier handed to the switch. */
    private final Map<String, AtomicInteger> calls = new ConcurrentHashMap<>();

    InProcessApi(Switch router, long seed, double lossRate) {
        this.processor = new Switchboard.Processor<>(new Routing(router, calls));
        this.random = new Random(seed);
        this.lossRate = lossRate;
    }

    @Override
    public byte[] exchange(byte[] message, Duration extraTime) throws TransientFailure {
        exchanges.incrementAndGet();
        if (roll()) {
            lost.incrementAndGet();
            throw new TransientFailure("injected: request lost");
        }
        TMemoryBuffer out;
        try {
            out = new TMemoryBuffer(256);
            processor.process(new TCompactProtocol(new TMemoryInputTransport(message)), new TCompactProtocol(out));
        } catch (TException e) {
            throw new TransientFailure("in-process call failed", e);
        }
        if (roll()) {
            lost.incrementAndGet();
            throw new TransientFailure("injected: answer lost");
        }
        return Arrays.copyOf(out.getArray(), out.length());
    }

    private boolean roll() {
        synchronized (random) {
            return random.nextDouble() < lossRate;
        }
    }

    int lostCount() {
        return lost.get();
    }

    /** The calls named {@code name} (read, ack, write, commit, ...) that reached the API tier so far. */
    int calls(String name) {
        AtomicInteger count = calls.get(name);
        return count == null ? 0 : count.get();
    }

    @Override
    public void close() {}

    /** The service implementation of the API tier: hand every call to the switch. */
    private record Routing(Switch router, Map<String, AtomicInteger> calls) implements Switchboard.Iface {
        private static final Duration TIMEOUT = Duration.ofSeconds(10);

        @Override
        public AllocateResponse allocate(AllocateRequest request) throws SwitchboardError {
            return answer(router.allocate(request.getTopic(), SwitchRequest.allocate(request), TIMEOUT)
                            .join())
                    .getAllocate();
        }

        @Override
        public ReadResponse read(ReadRequest request) throws SwitchboardError {
            return forward(request.getSessionId(), SwitchRequest.read(request), "read")
                    .getRead();
        }

        @Override
        public AckResponse ack(AckRequest request) throws SwitchboardError {
            return forward(request.getSessionId(), SwitchRequest.ack(request), "ack")
                    .getAck();
        }

        @Override
        public WriteResponse write(WriteRequest request) throws SwitchboardError {
            return forward(request.getSessionId(), SwitchRequest.write(request), "write")
                    .getWrite();
        }

        @Override
        public CommitResponse commit(CommitRequest request) throws SwitchboardError {
            return forward(request.getSessionId(), SwitchRequest.commit(request), "commit")
                    .getCommit();
        }

        @Override
        public DisposeResponse dispose(DisposeRequest request) throws SwitchboardError {
            return forward(request.getSessionId(), SwitchRequest.dispose(request), "dispose")
                    .getDispose();
        }

        private SwitchResponse forward(String sessionId, SwitchRequest request, String call) throws SwitchboardError {
            calls.computeIfAbsent(call, name -> new AtomicInteger()).incrementAndGet();
            SessionId session;
            try {
                session = SessionId.parse(sessionId);
            } catch (SwitchboardException e) {
                throw e.toThrift();
            }
            return answer(router.forward(session, request, TIMEOUT).join());
        }

        private static SwitchResponse answer(SwitchResponse response) throws SwitchboardError {
            if (response.isSetError()) {
                throw response.getError();
            }
            return response;
        }
    }
}
