package dev.switchboard.switching.amqp.internal;

import dev.switchboard.protocol.thrift.SwitchRequest;
import dev.switchboard.protocol.thrift.SwitchResponse;
import org.apache.thrift.TBase;
import org.apache.thrift.TDeserializer;
import org.apache.thrift.TException;
import org.apache.thrift.TSerializer;
import org.apache.thrift.protocol.TCompactProtocol;

/**
 * Message bodies on the switch: a {@link SwitchRequest} or {@link SwitchResponse} in Thrift's compact protocol.
 * Serializers are not thread-safe and cheap to make, so each call makes its own.
 */
final class ThriftCodec {
    private static final TCompactProtocol.Factory PROTOCOL = new TCompactProtocol.Factory();

    private ThriftCodec() {}

    static byte[] encode(TBase<?, ?> message) {
        try {
            return new TSerializer(PROTOCOL).serialize(message);
        } catch (TException e) {
            throw new IllegalStateException(
                    "cannot serialize " + message.getClass().getSimpleName(), e);
        }
    }

    /** Decodes a request; binary fields share {@code body} (the generated code keeps buffers unsafe). */
    static SwitchRequest decodeRequest(byte[] body) throws TException {
        SwitchRequest request = new SwitchRequest();
        new TDeserializer(PROTOCOL).deserialize(request, body);
        requireOneField(request.isSet(), "request");
        return request;
    }

    static SwitchResponse decodeResponse(byte[] body) throws TException {
        SwitchResponse response = new SwitchResponse();
        new TDeserializer(PROTOCOL).deserialize(response, body);
        requireOneField(response.isSet(), "response");
        return response;
    }

    private static void requireOneField(boolean set, String what) throws TException {
        if (!set) {
            throw new TException("empty " + what + " union");
        }
    }
}
