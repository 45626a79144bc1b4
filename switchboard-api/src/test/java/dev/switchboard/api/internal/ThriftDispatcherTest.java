package dev.switchboard.api.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.switchboard.protocol.thrift.DisposeRequest;
import dev.switchboard.protocol.thrift.DisposeResponse;
import dev.switchboard.protocol.thrift.ErrorCode;
import dev.switchboard.protocol.thrift.ReadRequest;
import dev.switchboard.protocol.thrift.Switchboard;
import java.lang.reflect.Proxy;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.thrift.TApplicationException;
import org.apache.thrift.TBase;
import org.apache.thrift.TException;
import org.apache.thrift.protocol.TCompactProtocol;
import org.apache.thrift.protocol.TField;
import org.apache.thrift.protocol.TMessage;
import org.apache.thrift.protocol.TMessageType;
import org.apache.thrift.protocol.TProtocol;
import org.apache.thrift.protocol.TStruct;
import org.apache.thrift.protocol.TType;
import org.apache.thrift.transport.TMemoryBuffer;
import org.apache.thrift.transport.TMemoryInputTransport;
import org.junit.jupiter.api.Test;

/** Decoding and replying without HTTP: bodies built field by field, so they can be wrong in exact ways. */
class ThriftDispatcherTest {
    private final List<Object> calledWith = new CopyOnWriteArrayList<>();
    private final List<CallContext> contexts = new CopyOnWriteArrayList<>();

    /** dispose answers; read fails with an internal exception whose message must not leak. */
    private final Switchboard.Iface iface = (Switchboard.Iface) Proxy.newProxyInstance(
            Switchboard.Iface.class.getClassLoader(),
            new Class<?>[] {Switchboard.Iface.class},
            (proxy, method, args) -> {
                calledWith.add(args[0] == null ? "null" : args[0]);
                if (method.getName().equals("dispose")) {
                    return new DisposeResponse();
                }
                throw new IllegalStateException("secret internal detail");
            });

    private final ThriftDispatcher dispatcher = new ThriftDispatcher(1024, context -> {
        contexts.add(context);
        return iface;
    });

    @Test
    void wellFormedCallRunsWithTheRequestsContext() throws Exception {
        // Given
        CallContext context = new CallContext(Map.of("Authorization", List.of("Bearer t")), "127.0.0.1");
        byte[] body = call("dispose", out -> writeArgs(out, new DisposeRequest("s0.n1.abc")));

        // When
        CallOutcome outcome = dispatcher.dispatch(body, context);

        // Then
        Switchboard.dispose_result result = new Switchboard.dispose_result();
        assertThat(readReply(outcome, result).type).isEqualTo(TMessageType.REPLY);
        assertThat(result.isSetSuccess()).isTrue();
        assertThat(contexts)
                .singleElement()
                .satisfies(seen -> assertThat(seen.header("authorization")).hasValue("Bearer t"));
    }

    @Test
    void missingRequiredFieldIsAnsweredWithInvalidRequestInTheCallsShape() throws Exception {
        // Given a dispose whose request struct lacks its required sessionId
        byte[] body = call("dispose", out -> {
            out.writeStructBegin(new TStruct("dispose_args"));
            out.writeFieldBegin(new TField("request", TType.STRUCT, (short) 1));
            out.writeStructBegin(new TStruct("DisposeRequest"));
            out.writeFieldStop();
            out.writeStructEnd();
            out.writeFieldEnd();
            out.writeFieldStop();
            out.writeStructEnd();
        });

        // When
        CallOutcome outcome = dispatcher.dispatch(body, CallContext.empty());

        // Then
        Switchboard.dispose_result result = new Switchboard.dispose_result();
        readReply(outcome, result);
        assertThat(result.getError().getCode()).isEqualTo(ErrorCode.INVALID_REQUEST);
        assertThat(result.getError().getMessage())
                .isEqualTo("dispose request lacks required field 'sessionId' (absent or of the wrong type)");
        assertThat(calledWith).isEmpty();
    }

    @Test
    void aMissingPrimitiveFieldIsNamedToo() throws Exception {
        // Given an ack with a session id but without its required i64 seq
        byte[] body = call("ack", out -> {
            out.writeStructBegin(new TStruct("ack_args"));
            out.writeFieldBegin(new TField("request", TType.STRUCT, (short) 1));
            out.writeStructBegin(new TStruct("AckRequest"));
            out.writeFieldBegin(new TField("sessionId", TType.STRING, (short) 1));
            out.writeString("s0.n1.abc");
            out.writeFieldEnd();
            out.writeFieldStop();
            out.writeStructEnd();
            out.writeFieldEnd();
            out.writeFieldStop();
            out.writeStructEnd();
        });

        // When
        CallOutcome outcome = dispatcher.dispatch(body, CallContext.empty());

        // Then the error names the field, and nothing of the client's data
        Switchboard.ack_result result = new Switchboard.ack_result();
        readReply(outcome, result);
        assertThat(result.getError().getCode()).isEqualTo(ErrorCode.INVALID_REQUEST);
        assertThat(result.getError().getMessage())
                .isEqualTo("ack request lacks required field 'seq' (absent or of the wrong type)");
        assertThat(calledWith).isEmpty();
    }

    @Test
    void absentRequestStructReachesTheCallsAsMissing() throws Exception {
        byte[] body = call("dispose", out -> {
            out.writeStructBegin(new TStruct("dispose_args"));
            out.writeFieldStop();
            out.writeStructEnd();
        });

        dispatcher.dispatch(body, CallContext.empty());

        assertThat(calledWith).containsExactly("null");
    }

    @Test
    void unknownMethodIsThriftsUnknownMethodError() throws Exception {
        byte[] body = call("subscribe", out -> writeArgs(out, new DisposeRequest("s0.n1.abc")));

        CallOutcome outcome = dispatcher.dispatch(body, CallContext.empty());

        TApplicationException error = readException(outcome);
        assertThat(error.getType()).isEqualTo(TApplicationException.UNKNOWN_METHOD);
        assertThat(calledWith).isEmpty();
    }

    @Test
    void internalFailureIsAnApplicationErrorWithoutItsMessage() throws Exception {
        byte[] body = call("read", out -> writeArgs(out, new ReadRequest("s0.n1.a", 1)));

        CallOutcome outcome = dispatcher.dispatch(body, CallContext.empty());

        TApplicationException error = readException(outcome);
        assertThat(error.getType()).isEqualTo(TApplicationException.INTERNAL_ERROR);
        assertThat(error.getMessage()).doesNotContain("secret");
    }

    @Test
    void messageThatIsNotACallIsInvalid() throws Exception {
        byte[] body = message("dispose", TMessageType.REPLY, out -> writeArgs(out, new DisposeRequest("s0.n1.abc")));

        assertThat(dispatcher.dispatch(body, CallContext.empty()))
                .isEqualTo(new CallOutcome.Invalid("expected a Thrift call message"));
    }

    @Test
    void bodyOverTheMessageLimitIsInvalid() throws Exception {
        byte[] body = call("dispose", out -> writeArgs(out, new DisposeRequest("s0.n1." + "x".repeat(2048))));

        assertThat(dispatcher.dispatch(body, CallContext.empty())).isInstanceOf(CallOutcome.Invalid.class);
        assertThat(calledWith).isEmpty();
    }

    @FunctionalInterface
    private interface Body {
        void write(TProtocol out) throws TException;
    }

    private static byte[] call(String name, Body body) throws TException {
        return message(name, TMessageType.CALL, body);
    }

    private static byte[] message(String name, byte type, Body body) throws TException {
        TMemoryBuffer buffer = new TMemoryBuffer(128);
        TProtocol out = new TCompactProtocol(buffer);
        out.writeMessageBegin(new TMessage(name, type, 1));
        body.write(out);
        out.writeMessageEnd();
        return Arrays.copyOf(buffer.getArray(), buffer.length());
    }

    /** Writes {@code <call>_args} holding {@code request} as field 1. */
    private static void writeArgs(TProtocol out, TBase<?, ?> request) throws TException {
        out.writeStructBegin(new TStruct("args"));
        out.writeFieldBegin(new TField("request", TType.STRUCT, (short) 1));
        request.write(out);
        out.writeFieldEnd();
        out.writeFieldStop();
        out.writeStructEnd();
    }

    private static TMessage readReply(CallOutcome outcome, TBase<?, ?> result) throws TException {
        TProtocol in = replyProtocol(outcome);
        TMessage message = in.readMessageBegin();
        result.read(in);
        return message;
    }

    private static TApplicationException readException(CallOutcome outcome) throws TException {
        TProtocol in = replyProtocol(outcome);
        assertThat(in.readMessageBegin().type).isEqualTo(TMessageType.EXCEPTION);
        return TApplicationException.readFrom(in);
    }

    private static TProtocol replyProtocol(CallOutcome outcome) throws TException {
        assertThat(outcome).isInstanceOf(CallOutcome.Reply.class);
        ByteBuffer body = ((CallOutcome.Reply) outcome).body();
        byte[] bytes = new byte[body.remaining()];
        body.duplicate().get(bytes);
        return new TCompactProtocol(new TMemoryInputTransport(bytes));
    }
}
