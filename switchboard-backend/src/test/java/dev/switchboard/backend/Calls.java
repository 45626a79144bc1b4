package dev.switchboard.backend;

import static org.assertj.core.api.Assertions.assertThat;

import dev.switchboard.protocol.ErrorCode;
import dev.switchboard.protocol.thrift.AckRequest;
import dev.switchboard.protocol.thrift.AckResponse;
import dev.switchboard.protocol.thrift.AllocateRequest;
import dev.switchboard.protocol.thrift.AllocateResponse;
import dev.switchboard.protocol.thrift.CommitRequest;
import dev.switchboard.protocol.thrift.DisposeRequest;
import dev.switchboard.protocol.thrift.Event;
import dev.switchboard.protocol.thrift.ReadRequest;
import dev.switchboard.protocol.thrift.ReadResponse;
import dev.switchboard.protocol.thrift.SessionMode;
import dev.switchboard.protocol.thrift.SwitchRequest;
import dev.switchboard.protocol.thrift.SwitchResponse;
import dev.switchboard.protocol.thrift.SwitchboardError;
import dev.switchboard.protocol.thrift.WriteRequest;
import dev.switchboard.protocol.thrift.WriteResponse;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/** Drives a {@link BackendNode} with Thrift requests, as the switch would. */
final class Calls {
    private final BackendNode node;

    Calls(BackendNode node) {
        this.node = node;
    }

    SwitchResponse call(SwitchRequest request) {
        return await(node.handle(request));
    }

    static SwitchResponse await(CompletableFuture<SwitchResponse> answer) {
        try {
            return answer.get(60, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new AssertionError("no answer", e);
        }
    }

    AllocateResponse reader(String topic) {
        return allocate(new AllocateRequest(topic, SessionMode.READ));
    }

    AllocateResponse readerFrom(String topic, String cursor) {
        return allocate(new AllocateRequest(topic, SessionMode.READ).setCursor(cursor));
    }

    AllocateResponse writer(String topic, String writerId) {
        return allocate(new AllocateRequest(topic, SessionMode.WRITE).setWriterId(writerId));
    }

    AllocateResponse allocate(AllocateRequest request) {
        SwitchResponse response = call(SwitchRequest.allocate(request));
        assertThat(response.isSetAllocate()).as("allocate answer %s", response).isTrue();
        return response.getAllocate();
    }

    static SwitchRequest writeRequest(String session, long seq, List<Event> events) {
        return SwitchRequest.write(new WriteRequest(session, seq, events));
    }

    WriteResponse write(String session, long seq, List<Event> events) {
        SwitchResponse response = call(writeRequest(session, seq, events));
        assertThat(response.isSetWrite()).as("write answer %s", response).isTrue();
        return response.getWrite();
    }

    long commit(String session, long seq) {
        SwitchResponse response = call(SwitchRequest.commit(new CommitRequest(session, seq)));
        assertThat(response.isSetCommit()).as("commit answer %s", response).isTrue();
        return response.getCommit().getCommittedSeq();
    }

    static SwitchRequest readRequest(String session, long seq, int maxEvents, int maxWaitMs) {
        return SwitchRequest.read(
                new ReadRequest(session, seq).setMaxEvents(maxEvents).setMaxWaitMs(maxWaitMs));
    }

    ReadResponse read(String session, long seq, int maxEvents, int maxWaitMs) {
        SwitchResponse response = call(readRequest(session, seq, maxEvents, maxWaitMs));
        assertThat(response.isSetRead()).as("read answer %s", response).isTrue();
        return response.getRead();
    }

    static SwitchRequest ackRequest(String session, long seq) {
        return SwitchRequest.ack(new AckRequest(session, seq));
    }

    AckResponse ack(String session, long seq) {
        SwitchResponse response = call(ackRequest(session, seq));
        assertThat(response.isSetAck()).as("ack answer %s", response).isTrue();
        return response.getAck();
    }

    SwitchResponse dispose(String session) {
        return call(SwitchRequest.dispose(new DisposeRequest(session)));
    }

    /** What {@link #readAll} got: the payloads in delivery order, the next read seq and the last cursor. */
    record Drained(List<String> payloads, long nextSeq, String cursor) {}

    /** Reads and acknowledges, from batch 1, until {@code count} events arrived. */
    Drained readAll(String session, int count) {
        List<String> payloads = new ArrayList<>();
        long seq = 1;
        String cursor = null;
        while (payloads.size() < count) {
            ReadResponse batch = read(session, seq, 7, 2000);
            if (batch.getEvents().isEmpty()) {
                throw new AssertionError("only " + payloads.size() + " of " + count + " events arrived");
            }
            batch.getEvents().forEach(event -> payloads.add(text(event.bufferForPayload())));
            cursor = ack(session, seq++).getCursor();
        }
        return new Drained(payloads, seq, cursor);
    }

    static List<String> payloads(ReadResponse response) {
        return response.getEvents().stream()
                .map(event -> text(event.bufferForPayload()))
                .toList();
    }

    static SwitchboardError error(SwitchResponse response, ErrorCode code) {
        assertThat(response.isSetError()).as("error answer, got %s", response).isTrue();
        assertThat(response.getError().getCode()).isEqualTo(code.toThrift());
        return response.getError();
    }

    static List<Event> events(String prefix, int count) {
        List<Event> events = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            events.add(event(prefix + "-" + i));
        }
        return events;
    }

    static Event event(String payload) {
        return new Event().setPayload(ByteBuffer.wrap(payload.getBytes(StandardCharsets.UTF_8)));
    }

    static String text(ByteBuffer buffer) {
        ByteBuffer view = buffer.duplicate();
        byte[] bytes = new byte[view.remaining()];
        view.get(bytes);
        return new String(bytes, StandardCharsets.UTF_8);
    }
}
