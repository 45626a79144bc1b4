package dev.switchboard.client.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.switchboard.protocol.thrift.ErrorCode;
import dev.switchboard.protocol.thrift.Event;
import dev.switchboard.protocol.thrift.Switchboard;
import dev.switchboard.protocol.thrift.SwitchboardError;
import dev.switchboard.protocol.thrift.WriteRequest;
import dev.switchboard.protocol.thrift.WriteResponse;
import java.lang.reflect.Proxy;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.List;
import org.apache.thrift.TException;
import org.apache.thrift.protocol.TCompactProtocol;
import org.apache.thrift.protocol.TMessage;
import org.apache.thrift.protocol.TMessageType;
import org.apache.thrift.transport.TMemoryBuffer;
import org.apache.thrift.transport.TMemoryInputTransport;
import org.apache.thrift.transport.TTransportException;
import org.junit.jupiter.api.Test;

/** The framing: one compact-protocol call message out, one reply message in, readable once per attempt. */
class ThriftCallTest {
    private final WriteRequest request =
            new WriteRequest("s0.n1.abc", 7, List.of(new Event().setPayload(ByteBuffer.wrap("hello".getBytes()))));

    @Test
    void theRequestIsOneCompactCallMessage() throws TException {
        byte[] message = ThriftCall.WRITE.open(request).request();

        TCompactProtocol in = new TCompactProtocol(new TMemoryInputTransport(message));
        TMessage header = in.readMessageBegin();
        Switchboard.write_args args = new Switchboard.write_args();
        args.read(in);

        assertThat(header.name).isEqualTo("write");
        assertThat(header.type).isEqualTo(TMessageType.CALL);
        assertThat(args.getRequest()).isEqualTo(request);
    }

    @Test
    void anAnswerIsDecodedAsOftenAsItIsReceived() throws TException {
        ThriftCall.Exchange<WriteResponse> exchange = ThriftCall.WRITE.open(request);
        byte[] reply = serve(exchange.request(), new WriteResponse(7, 7), null);

        assertThat(exchange.decode(reply)).isEqualTo(new WriteResponse(7, 7));
        assertThat(exchange.decode(reply)).isEqualTo(new WriteResponse(7, 7)); // a second attempt's answer
    }

    @Test
    void theDeclaredErrorIsThrownWithItsCode() throws TException {
        ThriftCall.Exchange<WriteResponse> exchange = ThriftCall.WRITE.open(request);
        SwitchboardError error = new SwitchboardError(ErrorCode.OUT_OF_SEQUENCE, "next chunk is 3").setExpectedSeq(3);
        byte[] reply = serve(exchange.request(), null, error);

        assertThatThrownBy(() -> exchange.decode(reply)).isEqualTo(error);
    }

    @Test
    void aTruncatedAnswerIsATransportError() throws TException {
        ThriftCall.Exchange<WriteResponse> exchange = ThriftCall.WRITE.open(request);
        byte[] reply = serve(exchange.request(), new WriteResponse(7, 7), null);

        assertThatThrownBy(() -> exchange.decode(Arrays.copyOf(reply, reply.length / 2)))
                .isInstanceOf(TTransportException.class);
    }

    /** Runs the generated server-side processor over {@code call}, answering with {@code answer} or {@code error}. */
    private static byte[] serve(byte[] call, WriteResponse answer, SwitchboardError error) throws TException {
        Switchboard.Iface handler = (Switchboard.Iface) Proxy.newProxyInstance(
                Switchboard.Iface.class.getClassLoader(),
                new Class<?>[] {Switchboard.Iface.class},
                (proxy, method, args) -> {
                    if (error != null) {
                        throw error;
                    }
                    return answer;
                });
        TMemoryBuffer out = new TMemoryBuffer(64);
        new Switchboard.Processor<>(handler)
                .process(new TCompactProtocol(new TMemoryInputTransport(call)), new TCompactProtocol(out));
        return Arrays.copyOf(out.getArray(), out.length());
    }
}
