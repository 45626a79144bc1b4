package dev.switchboard.api.internal;

import dev.switchboard.protocol.EncodeBuffer;
import dev.switchboard.protocol.EncodedSize;
import dev.switchboard.protocol.ErrorCode;
import dev.switchboard.protocol.SwitchboardException;
import dev.switchboard.protocol.thrift.Switchboard;
import dev.switchboard.protocol.thrift.SwitchboardError;
import java.nio.ByteBuffer;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.thrift.ProcessFunction;
import org.apache.thrift.TApplicationException;
import org.apache.thrift.TBase;
import org.apache.thrift.TConfiguration;
import org.apache.thrift.TException;
import org.apache.thrift.protocol.TCompactProtocol;
import org.apache.thrift.protocol.TMessage;
import org.apache.thrift.protocol.TMessageType;
import org.apache.thrift.protocol.TProtocol;
import org.apache.thrift.protocol.TProtocolException;
import org.apache.thrift.protocol.TProtocolUtil;
import org.apache.thrift.protocol.TType;
import org.apache.thrift.transport.TMemoryInputTransport;
import org.apache.thrift.transport.TTransportException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns one request body (a Thrift compact-protocol call of service {@code Switchboard}) into its reply, in memory.
 *
 * <p>It uses the generated {@link Switchboard.Processor}'s process functions to run a call and build its result,
 * but decodes and encodes itself, because the stock processor answers a body it cannot decode with an application
 * error that echoes Thrift's internal message. Here:
 *
 * <ul>
 *   <li>a body that is not one well-formed call (garbage, truncated, trailing bytes, not a call) is
 *       {@link CallOutcome.Invalid}, which the HTTP side answers with 400;
 *   <li>a well-formed call whose request lacks a required field is answered in the call's own result shape with a
 *       SwitchboardError INVALID_REQUEST, so a client sees a normal Thrift exception;
 *   <li>an unknown method gets Thrift's standard UNKNOWN_METHOD application error;
 *   <li>everything else runs on the {@code Switchboard.Iface} made for this request's {@link CallContext}.
 * </ul>
 */
public final class ThriftDispatcher {
    private static final Logger LOGGER = LoggerFactory.getLogger(ThriftDispatcher.class);

    /** The first byte of every compact-protocol message. */
    private static final byte COMPACT_PROTOCOL_ID = (byte) 0x82;

    private static final int REPLY_BUFFER_BYTES = 512;

    /** How the generated code names a missing required field; field names are short identifiers. */
    private static final Pattern REQUIRED_FIELD = Pattern.compile("Required field '([A-Za-z][A-Za-z0-9_]{0,63})'");

    private final Map<String, ProcessFunction<Switchboard.Iface, ?>> functions;
    private final Function<CallContext, Switchboard.Iface> calls;
    private final TConfiguration configuration;

    /**
     * @param maxMessageBytes the largest body the caller will pass in
     * @param calls makes the call handling for one request; the seam where authentication wraps the calls
     */
    public ThriftDispatcher(int maxMessageBytes, Function<CallContext, Switchboard.Iface> calls) {
        // Only the processor's process functions are used; they are stateless and take the Iface per call.
        this.functions =
                Map.copyOf(new Switchboard.Processor<Switchboard.Iface>(new RejectingCalls(new SwitchboardError()))
                        .getProcessMapView());
        this.calls = calls;
        this.configuration =
                TConfiguration.custom().setMaxMessageSize(maxMessageBytes).build();
    }

    public CallOutcome dispatch(byte[] body, CallContext context) {
        if (body.length == 0) {
            return new CallOutcome.Invalid("empty body");
        }
        if (body[0] != COMPACT_PROTOCOL_ID) {
            return new CallOutcome.Invalid("not a Thrift compact-protocol message");
        }
        TMessage message = null;
        ProcessFunction<Switchboard.Iface, ?> function = null;
        TBase<?, ?> args;
        try {
            TMemoryInputTransport transport = new TMemoryInputTransport(configuration, body);
            TProtocol in = new TCompactProtocol(transport);
            message = in.readMessageBegin();
            if (message.type != TMessageType.CALL) {
                return new CallOutcome.Invalid("expected a Thrift call message");
            }
            function = functions.get(message.name);
            if (function == null) {
                return exceptionReply(message, TApplicationException.UNKNOWN_METHOD, "unknown method");
            }
            args = function.getEmptyArgsInstance();
            args.read(in);
            in.readMessageEnd();
            if (transport.getBytesRemainingInBuffer() > 0) {
                return new CallOutcome.Invalid("trailing bytes after the Thrift message");
            }
        } catch (TException | RuntimeException e) {
            if (function != null && message != null && isWellFormed(body)) {
                return missingFields(message, function, e);
            }
            return new CallOutcome.Invalid(describe(e));
        }
        return run(message, function, args, calls.apply(context));
    }

    private CallOutcome run(
            TMessage message,
            ProcessFunction<Switchboard.Iface, ?> function,
            TBase<?, ?> args,
            Switchboard.Iface iface) {
        try {
            TBase<?, ?> result = result(function, iface, args);
            return reply(message, TMessageType.REPLY, result::write, replyBufferBytes(result));
        } catch (TException | RuntimeException e) {
            // The Iface turns every failure into a SwitchboardError; reaching here is a bug, not a client error.
            LOGGER.error("call could not be answered method={}", message.name, e);
            return exceptionReply(message, TApplicationException.INTERNAL_ERROR, "internal error");
        }
    }

    /** The call decoded as Thrift but its request failed validation: answer INVALID_REQUEST in the call's shape. */
    private CallOutcome missingFields(
            TMessage message, ProcessFunction<Switchboard.Iface, ?> function, Exception failure) {
        String text = function.getMethodName() + " request lacks "
                + missingFieldName(failure)
                        .map(name -> "required field '" + name + "' (absent or of the wrong type)")
                        .orElse("a required field or has one of the wrong type");
        RejectingCalls rejecting = new RejectingCalls(
                SwitchboardException.of(ErrorCode.INVALID_REQUEST, text).toThrift());
        return run(message, function, function.getEmptyArgsInstance(), rejecting);
    }

    /**
     * The name of the required field the generated code found missing ("Required field 'seq' was not found ...").
     * Only a name made of identifier characters is passed on: the rest of Thrift's message echoes client data.
     */
    static Optional<String> missingFieldName(Exception failure) {
        if (!(failure instanceof TProtocolException) || failure.getMessage() == null) {
            return Optional.empty();
        }
        Matcher matcher = REQUIRED_FIELD.matcher(failure.getMessage());
        return matcher.lookingAt() ? Optional.of(matcher.group(1)) : Optional.empty();
    }

    /** True when the body is one complete, structurally valid Thrift message, whatever its fields hold. */
    private boolean isWellFormed(byte[] body) {
        try {
            TMemoryInputTransport transport = new TMemoryInputTransport(configuration, body);
            TProtocol in = new TCompactProtocol(transport);
            in.readMessageBegin();
            TProtocolUtil.skip(in, TType.STRUCT);
            in.readMessageEnd();
            return transport.getBytesRemainingInBuffer() == 0;
        } catch (TException | RuntimeException e) {
            return false;
        }
    }

    private CallOutcome exceptionReply(TMessage message, int type, String text) {
        TApplicationException error = new TApplicationException(type, text);
        try {
            return reply(message, TMessageType.EXCEPTION, error::write, REPLY_BUFFER_BYTES);
        } catch (TException e) {
            // Writing to memory cannot fail for want of space; only a broken message would get here.
            LOGGER.error("could not encode an application error method={}", message.name, e);
            return new CallOutcome.Invalid("malformed Thrift message");
        }
    }

    /** Read answers are sized from their events, so the buffer need not grow (and copy) on the way. */
    private static int replyBufferBytes(TBase<?, ?> result) {
        if (result instanceof Switchboard.read_result read && read.isSetSuccess()) {
            return EncodedSize.ofEvents(read.getSuccess().getEvents());
        }
        return REPLY_BUFFER_BYTES;
    }

    private static CallOutcome reply(TMessage call, byte type, MessageBody body, int bufferBytes) throws TException {
        EncodeBuffer buffer = new EncodeBuffer(bufferBytes);
        TProtocol out = new TCompactProtocol(buffer);
        out.writeMessageBegin(new TMessage(call.name, type, call.seqid));
        body.write(out);
        out.writeMessageEnd();
        out.getTransport().flush();
        return new CallOutcome.Reply(ByteBuffer.wrap(buffer.array(), 0, buffer.length()));
    }

    @SuppressWarnings({"rawtypes", "unchecked"})
    private static TBase<?, ?> result(
            ProcessFunction<Switchboard.Iface, ?> function, Switchboard.Iface iface, TBase<?, ?> args)
            throws TException {
        // The map's wildcard hides each function's own args type; args came from that same function.
        return ((ProcessFunction) function).getResult(iface, (TBase) args);
    }

    /** A short, fixed description: Thrift's own messages can hold client data, so they are never passed on. */
    private static String describe(Exception failure) {
        if (failure instanceof TTransportException) {
            // Reading from memory, a transport error only ever means the bytes ran out.
            return "truncated Thrift message";
        }
        if (failure instanceof TProtocolException protocol) {
            return switch (protocol.getType()) {
                case TProtocolException.BAD_VERSION -> "unsupported Thrift protocol version";
                case TProtocolException.NEGATIVE_SIZE, TProtocolException.SIZE_LIMIT ->
                    "invalid length in Thrift message";
                case TProtocolException.DEPTH_LIMIT -> "Thrift message nested too deeply";
                default -> "malformed Thrift message";
            };
        }
        return "malformed Thrift message";
    }

    @FunctionalInterface
    private interface MessageBody {
        void write(TProtocol out) throws TException;
    }
}
