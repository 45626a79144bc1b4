package dev.switchboard.api.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.switchboard.protocol.ErrorCode;
import dev.switchboard.protocol.SwitchboardException;
import dev.switchboard.protocol.thrift.Event;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Pattern;
import org.apache.thrift.TBase;
import org.apache.thrift.TEnum;
import org.apache.thrift.TFieldIdEnum;
import org.apache.thrift.TFieldRequirementType;
import org.apache.thrift.meta_data.EnumMetaData;
import org.apache.thrift.meta_data.FieldMetaData;
import org.apache.thrift.meta_data.FieldValueMetaData;
import org.apache.thrift.meta_data.ListMetaData;
import org.apache.thrift.meta_data.MapMetaData;
import org.apache.thrift.meta_data.StructMetaData;
import org.apache.thrift.protocol.TType;
import org.jspecify.annotations.Nullable;

/**
 * The JSON form of the protocol's structs, derived from the generated Thrift metadata so it stays 1:1 with the IDL:
 * a struct is a JSON object with the IDL's field names, i32/i64 are JSON integers, enums their names, binary fields
 * base64 (RFC 4648 with padding), lists arrays, maps objects. Absent and {@code null} are the same: unset.
 *
 * <p>Events, the one place people write text, also take their bytes as UTF-8 text: {@code text} for the payload,
 * {@code keyText} for the key, and {@code headers} holds UTF-8 text values while {@code headersBase64} holds
 * base64 ones. Answers use the text form when the bytes are valid UTF-8 and base64 otherwise, so exactly one of
 * {@code payload}/{@code text} (and of {@code key}/{@code keyText}) is present and nothing is lost.
 *
 * <p>Reading is strict: an unknown field, a value of the wrong JSON type, an integer out of range, bad base64 or a
 * missing required field is an INVALID_REQUEST naming the field's path (never echoing the value).
 */
final class JsonMapping {
    static final String TEXT = "text";
    static final String KEY_TEXT = "keyText";
    static final String HEADERS_BASE64 = "headersBase64";

    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
    private static final Pattern PRINTABLE_NAME = Pattern.compile("[A-Za-z0-9_.-]{1,64}");

    private JsonMapping() {}

    /** The struct of {@code type} that {@code node} describes; {@code path} names it in errors. */
    static <T extends TBase<?, ?>> T read(JsonNode node, Class<T> type, String path) {
        if (node == null || !node.isObject()) {
            throw invalid(path + " must be a JSON object");
        }
        T struct = newInstance(type);
        Map<String, TFieldIdEnum> fields = new LinkedHashMap<>();
        Map<? extends TFieldIdEnum, FieldMetaData> meta = metaOf(type);
        meta.keySet().forEach(field -> fields.put(field.getFieldName(), field));
        boolean event = type == Event.class;
        Iterator<Map.Entry<String, JsonNode>> properties = node.fields();
        while (properties.hasNext()) {
            Map.Entry<String, JsonNode> property = properties.next();
            String name = property.getKey();
            JsonNode value = property.getValue();
            if (value.isNull()) {
                continue;
            }
            if (event && readEventAlternative((Event) struct, name, value, path)) {
                continue;
            }
            TFieldIdEnum field = fields.get(name);
            if (field == null) {
                throw invalid(unknownField(path, name, fields.keySet(), event));
            }
            if (event && isSet(struct, field)) {
                throw invalid(path + "." + name + ": set either the text or the base64 form, not both");
            }
            setField(
                    struct,
                    field,
                    value(value, Objects.requireNonNull(meta.get(field)).valueMetaData, path + "." + name));
        }
        for (Map.Entry<? extends TFieldIdEnum, FieldMetaData> entry : meta.entrySet()) {
            if (entry.getValue().requirementType == TFieldRequirementType.REQUIRED && !isSet(struct, entry.getKey())) {
                throw invalid(path + " lacks required field '" + entry.getKey().getFieldName() + "'"
                        + (event && entry.getKey() == Event._Fields.PAYLOAD ? " (or 'text')" : ""));
            }
        }
        return struct;
    }

    /** The JSON object of a struct: every set field. */
    static ObjectNode write(TBase<?, ?> struct) {
        ObjectNode node = NODES.objectNode();
        Map<? extends TFieldIdEnum, FieldMetaData> meta = metaOf(struct.getClass());
        for (Map.Entry<? extends TFieldIdEnum, FieldMetaData> entry : meta.entrySet()) {
            TFieldIdEnum field = entry.getKey();
            if (!isSet(struct, field)) {
                continue;
            }
            Object value = fieldValue(struct, field);
            if (struct instanceof Event && writeEventAlternative(node, field, value)) {
                continue;
            }
            node.set(field.getFieldName(), json(value, entry.getValue().valueMetaData));
        }
        return node;
    }

    private static boolean readEventAlternative(Event event, String name, JsonNode value, String path) {
        switch (name) {
            case TEXT -> {
                if (event.isSetPayload()) {
                    throw invalid(path + ".text: set either payload (base64) or text, not both");
                }
                event.setPayload(utf8(text(value, path + ".text")));
                return true;
            }
            case KEY_TEXT -> {
                if (event.isSetKey()) {
                    throw invalid(path + ".keyText: set either key (base64) or keyText, not both");
                }
                event.setKey(utf8(text(value, path + ".keyText")));
                return true;
            }
            case HEADERS_BASE64 -> {
                if (!value.isObject()) {
                    throw invalid(path + ".headersBase64 must be a JSON object of base64 strings");
                }
                Iterator<Map.Entry<String, JsonNode>> headers = value.fields();
                while (headers.hasNext()) {
                    Map.Entry<String, JsonNode> header = headers.next();
                    if (event.isSetHeaders() && event.getHeaders().containsKey(header.getKey())) {
                        throw invalid(path + ": a header is in both headers and headersBase64");
                    }
                    event.putToHeaders(
                            header.getKey(),
                            base64(header.getValue(), path + ".headersBase64." + shown(header.getKey())));
                }
                return true;
            }
            case "headers" -> {
                if (!value.isObject()) {
                    throw invalid(path + ".headers must be a JSON object of UTF-8 strings");
                }
                Iterator<Map.Entry<String, JsonNode>> headers = value.fields();
                while (headers.hasNext()) {
                    Map.Entry<String, JsonNode> header = headers.next();
                    if (event.isSetHeaders() && event.getHeaders().containsKey(header.getKey())) {
                        throw invalid(path + ": a header is in both headers and headersBase64");
                    }
                    event.putToHeaders(
                            header.getKey(),
                            utf8(text(header.getValue(), path + ".headers." + shown(header.getKey()))));
                }
                return true;
            }
            default -> {
                return false;
            }
        }
    }

    @SuppressWarnings("unchecked")
    private static boolean writeEventAlternative(ObjectNode node, TFieldIdEnum field, Object value) {
        if (field == Event._Fields.PAYLOAD || field == Event._Fields.KEY) {
            ByteBuffer bytes = asBuffer(value);
            String text = decodeUtf8(bytes);
            if (text != null) {
                node.put(field == Event._Fields.PAYLOAD ? TEXT : KEY_TEXT, text);
            } else {
                node.put(field.getFieldName(), base64(bytes));
            }
            return true;
        }
        if (field == Event._Fields.HEADERS) {
            ObjectNode text = NODES.objectNode();
            ObjectNode binary = NODES.objectNode();
            ((Map<String, ByteBuffer>) value).forEach((name, bytes) -> {
                String decoded = bytes == null ? "" : decodeUtf8(bytes);
                if (decoded != null) {
                    text.put(name, decoded);
                } else {
                    binary.put(name, base64(bytes));
                }
            });
            if (!text.isEmpty()) {
                node.set("headers", text);
            }
            if (!binary.isEmpty()) {
                node.set(HEADERS_BASE64, binary);
            }
            return true;
        }
        return false;
    }

    private static Object value(JsonNode node, FieldValueMetaData meta, String path) {
        switch (meta.type) {
            case TType.BOOL -> {
                if (!node.isBoolean()) {
                    throw invalid(path + " must be true or false");
                }
                return node.booleanValue();
            }
            case TType.I32 -> {
                if (!node.isIntegralNumber() || !node.canConvertToInt()) {
                    throw invalid(path + " must be an integer from -2^31 to 2^31-1");
                }
                return node.intValue();
            }
            case TType.I64 -> {
                if (!node.isIntegralNumber() || !node.canConvertToLong()) {
                    throw invalid(path + " must be an integer from -2^63 to 2^63-1");
                }
                return node.longValue();
            }
            case TType.STRING -> {
                return meta.isBinary() ? base64(node, path) : text(node, path);
            }
            case TType.ENUM -> {
                return enumValue(node, ((EnumMetaData) meta).enumClass, path);
            }
            case TType.STRUCT -> {
                return read(node, structClass(meta), path);
            }
            case TType.LIST -> {
                if (!node.isArray()) {
                    throw invalid(path + " must be a JSON array");
                }
                FieldValueMetaData element = ((ListMetaData) meta).elemMetaData;
                List<Object> list = new ArrayList<>(node.size());
                for (int i = 0; i < node.size(); i++) {
                    list.add(value(node.get(i), element, path + "[" + i + "]"));
                }
                return list;
            }
            case TType.MAP -> {
                if (!node.isObject()) {
                    throw invalid(path + " must be a JSON object");
                }
                FieldValueMetaData values = ((MapMetaData) meta).valueMetaData;
                Map<String, Object> map = new LinkedHashMap<>();
                Iterator<Map.Entry<String, JsonNode>> entries = node.fields();
                while (entries.hasNext()) {
                    Map.Entry<String, JsonNode> entry = entries.next();
                    map.put(entry.getKey(), value(entry.getValue(), values, path + "." + shown(entry.getKey())));
                }
                return map;
            }
            default -> throw new IllegalStateException("no JSON form for Thrift type " + meta.type + " at " + path);
        }
    }

    @SuppressWarnings("unchecked")
    private static JsonNode json(Object value, FieldValueMetaData meta) {
        return switch (meta.type) {
            case TType.BOOL -> NODES.booleanNode((Boolean) value);
            case TType.I32 -> NODES.numberNode((Integer) value);
            case TType.I64 -> NODES.numberNode((Long) value);
            case TType.STRING ->
                meta.isBinary() ? NODES.textNode(base64(asBuffer(value))) : NODES.textNode((String) value);
            case TType.ENUM -> NODES.textNode(((Enum<?>) value).name());
            case TType.STRUCT -> write((TBase<?, ?>) value);
            case TType.LIST -> {
                var array = NODES.arrayNode();
                for (Object element : (List<Object>) value) {
                    array.add(json(element, ((ListMetaData) meta).elemMetaData));
                }
                yield array;
            }
            case TType.MAP -> {
                ObjectNode object = NODES.objectNode();
                ((Map<String, Object>) value)
                        .forEach((k, v) -> object.set(k, json(v, ((MapMetaData) meta).valueMetaData)));
                yield object;
            }
            default -> throw new IllegalStateException("no JSON form for Thrift type " + meta.type);
        };
    }

    private static String text(JsonNode node, String path) {
        if (!node.isTextual()) {
            throw invalid(path + " must be a JSON string");
        }
        return node.textValue();
    }

    private static ByteBuffer base64(JsonNode node, String path) {
        String text = text(node, path);
        try {
            return ByteBuffer.wrap(Base64.getDecoder().decode(text));
        } catch (IllegalArgumentException e) {
            throw invalid(path + " must be base64 (RFC 4648, alphabet A-Z a-z 0-9 + /, padded with =)");
        }
    }

    private static String base64(ByteBuffer bytes) {
        ByteBuffer copy = bytes.duplicate();
        byte[] array = new byte[copy.remaining()];
        copy.get(array);
        return Base64.getEncoder().encodeToString(array);
    }

    private static ByteBuffer utf8(String text) {
        return ByteBuffer.wrap(text.getBytes(StandardCharsets.UTF_8));
    }

    /** The text of {@code bytes} when they are valid UTF-8, else null. */
    private static @Nullable String decodeUtf8(ByteBuffer bytes) {
        try {
            return StandardCharsets.UTF_8
                    .newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(bytes.duplicate())
                    .toString();
        } catch (CharacterCodingException e) {
            return null;
        }
    }

    private static ByteBuffer asBuffer(Object value) {
        return value instanceof byte[] array ? ByteBuffer.wrap(array) : (ByteBuffer) value;
    }

    private static Object enumValue(JsonNode node, Class<? extends TEnum> type, String path) {
        String name = text(node, path);
        for (TEnum constant : type.getEnumConstants()) {
            if (((Enum<?>) constant).name().equals(name)) {
                return constant;
            }
        }
        List<String> names = new ArrayList<>();
        for (TEnum constant : type.getEnumConstants()) {
            names.add(((Enum<?>) constant).name());
        }
        throw invalid(path + " must be one of " + String.join(", ", names));
    }

    private static String unknownField(String path, String name, Iterable<String> known, boolean event) {
        List<String> names = new ArrayList<>();
        known.forEach(names::add);
        if (event) {
            names.addAll(List.of(TEXT, KEY_TEXT, HEADERS_BASE64));
        }
        return path + " has an unknown field '" + shown(name) + "' (known: " + String.join(", ", names) + ")";
    }

    @SuppressWarnings("unchecked")
    private static Class<? extends TBase<?, ?>> structClass(FieldValueMetaData meta) {
        return (Class<? extends TBase<?, ?>>) ((StructMetaData) meta).structClass;
    }

    private static <T> T newInstance(Class<T> type) {
        try {
            return type.getDeclaredConstructor().newInstance();
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("cannot make a " + type.getName(), e);
        }
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    private static void setField(TBase struct, TFieldIdEnum field, Object value) {
        struct.setFieldValue(field, value);
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    private static Object fieldValue(TBase struct, TFieldIdEnum field) {
        return struct.getFieldValue(field);
    }

    /** The generated metadata of a struct class: its fields, their requirement and type, in IDL order. */
    @SuppressWarnings({"unchecked", "rawtypes"})
    static Map<? extends TFieldIdEnum, FieldMetaData> metaOf(Class<?> type) {
        return FieldMetaData.getStructMetaDataMap((Class) type);
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    private static boolean isSet(TBase struct, TFieldIdEnum field) {
        return struct.isSet(field);
    }

    /** A client-supplied name for an error message: shown when it is short and plain, else not at all. */
    private static String shown(String name) {
        return PRINTABLE_NAME.matcher(name).matches() ? name : "(name)";
    }

    private static SwitchboardException invalid(String message) {
        return SwitchboardException.of(ErrorCode.INVALID_REQUEST, message);
    }
}
