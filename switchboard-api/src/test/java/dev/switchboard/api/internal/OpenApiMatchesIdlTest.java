package dev.switchboard.api.internal;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.switchboard.protocol.thrift.Event;
import dev.switchboard.protocol.thrift.Switchboard;
import io.swagger.v3.parser.OpenAPIV3Parser;
import io.swagger.v3.parser.core.models.SwaggerParseResult;
import java.io.InputStream;
import java.lang.reflect.Method;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
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
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The OpenAPI description kept in the repository (openapi.json, served at /v1/openapi.json) against the IDL as the
 * generated Thrift classes hold it: every call a path, every struct a schema with the same fields, requiredness and
 * types, every enum the same names. A field added to the IDL without regenerating (scripts/generate-openapi.py)
 * fails here. The file must also parse as valid OpenAPI 3.1 (swagger-parser).
 */
class OpenApiMatchesIdlTest {
    private static String text;
    private static JsonNode document;

    @BeforeAll
    static void load() throws Exception {
        try (InputStream in = OpenApiHandler.class.getResourceAsStream(OpenApiHandler.RESOURCE)) {
            text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        document = new ObjectMapper().readTree(text);
    }

    @Test
    void isValidOpenApi31() {
        SwaggerParseResult result = new OpenAPIV3Parser().readContents(text, null, null);

        assertThat(result.getMessages()).isEmpty();
        assertThat(result.getOpenAPI().getOpenapi()).isEqualTo("3.1.0");
        assertThat(result.getOpenAPI().getPaths()).hasSize(JsonCall.values().length);
    }

    @Test
    void everyCallIsAPathTakingItsRequestAndAnsweringItsResponse() throws Exception {
        for (JsonCall call : JsonCall.values()) {
            JsonNode post =
                    document.path("paths").path("/v1/json/" + call.callName()).path("post");
            assertThat(post.isMissingNode()).as(call.callName()).isFalse();
            Method method = Switchboard.Iface.class.getMethod(call.callName(), call.requestType());
            assertThat(ref(post.at("/requestBody/content/application~1json/schema")))
                    .isEqualTo(call.requestType().getSimpleName());
            assertThat(ref(post.at("/responses/200/content/application~1json/schema")))
                    .isEqualTo(method.getReturnType().getSimpleName());
            assertThat(post.path("responses").has("409")).isTrue();
        }
        assertThat(document.path("paths").size()).isEqualTo(JsonCall.values().length);
    }

    @Test
    void everyStructIsASchemaWithTheIdlsFieldsRequirednessAndTypes() {
        // Every struct reachable from the calls' requests and answers
        Deque<Class<?>> todo = new ArrayDeque<>();
        for (JsonCall call : JsonCall.values()) {
            todo.add(call.requestType());
            for (Method m : Switchboard.Iface.class.getMethods()) {
                if (m.getName().equals(call.callName())) {
                    todo.add(m.getReturnType());
                }
            }
        }
        Set<Class<?>> seen = new HashSet<>();
        List<String> checked = new ArrayList<>();
        while (!todo.isEmpty()) {
            Class<?> type = todo.poll();
            if (!seen.add(type)) {
                continue;
            }
            JsonNode schema = schema(type.getSimpleName());
            assertThat(schema.isMissingNode())
                    .as("schema " + type.getSimpleName())
                    .isFalse();
            Map<? extends TFieldIdEnum, FieldMetaData> meta = JsonMapping.metaOf(type);
            Set<String> names = new TreeSet<>();
            Set<String> required = new TreeSet<>();
            for (Map.Entry<? extends TFieldIdEnum, FieldMetaData> entry : meta.entrySet()) {
                String name = entry.getKey().getFieldName();
                names.add(name);
                if (entry.getValue().requirementType == TFieldRequirementType.REQUIRED) {
                    required.add(name);
                }
                checkType(
                        type.getSimpleName() + "." + name,
                        schema.path("properties").path(name),
                        entry.getValue().valueMetaData,
                        todo);
            }
            if (type == Event.class) {
                // the JSON mapping's text forms; payload or text is required (oneOf)
                names.addAll(List.of(JsonMapping.TEXT, JsonMapping.KEY_TEXT, JsonMapping.HEADERS_BASE64));
                required.remove("payload");
                assertThat(schema.path("oneOf").toString()).contains("payload", "text");
            }
            assertThat(fieldNames(schema.path("properties")))
                    .as(type.getSimpleName())
                    .isEqualTo(names);
            assertThat(texts(schema.path("required")))
                    .as(type.getSimpleName() + " required")
                    .isEqualTo(required);
            checked.add(type.getSimpleName());
        }
        assertThat(checked).contains("AllocateRequest", "Event", "Limits", "CommitResponse");
    }

    @Test
    void theErrorSchemaHasEveryErrorCode() {
        Set<String> codes = new TreeSet<>();
        for (dev.switchboard.protocol.thrift.ErrorCode code : dev.switchboard.protocol.thrift.ErrorCode.values()) {
            codes.add(code.name());
        }

        assertThat(texts(schema("ErrorCode").path("enum"))).isEqualTo(codes);
        assertThat(texts(schema("Error").path("required"))).containsExactlyInAnyOrder("code", "message", "retriable");
    }

    private void checkType(String where, JsonNode property, FieldValueMetaData meta, Deque<Class<?>> todo) {
        assertThat(property.isMissingNode())
                .as(where + " is not in openapi.json: run scripts/generate-openapi.py")
                .isFalse();
        switch (meta.type) {
            case TType.I32 ->
                assertThat(property.path("format").asText()).as(where).isEqualTo("int32");
            case TType.I64 ->
                assertThat(property.path("format").asText()).as(where).isEqualTo("int64");
            case TType.BOOL ->
                assertThat(property.path("type").asText()).as(where).isEqualTo("boolean");
            case TType.STRING -> {
                assertThat(property.path("type").asText()).as(where).isEqualTo("string");
                assertThat(property.path("contentEncoding").asText())
                        .as(where + " base64")
                        .isEqualTo(meta.isBinary() ? "base64" : "");
            }
            case TType.ENUM -> {
                Class<? extends TEnum> enumClass = ((EnumMetaData) meta).enumClass;
                assertThat(ref(property)).as(where).isEqualTo(enumClass.getSimpleName());
                Set<String> names = new TreeSet<>();
                for (TEnum constant : enumClass.getEnumConstants()) {
                    names.add(((Enum<?>) constant).name());
                }
                assertThat(texts(schema(enumClass.getSimpleName()).path("enum")))
                        .as(where)
                        .isEqualTo(names);
            }
            case TType.STRUCT -> {
                Class<? extends TBase> struct = ((StructMetaData) meta).structClass;
                assertThat(ref(property)).as(where).isEqualTo(struct.getSimpleName());
                todo.add(struct);
            }
            case TType.LIST -> {
                assertThat(property.path("type").asText()).as(where).isEqualTo("array");
                checkType(where + "[]", property.path("items"), ((ListMetaData) meta).elemMetaData, todo);
            }
            case TType.MAP -> {
                assertThat(property.path("type").asText()).as(where).isEqualTo("object");
                if (!where.equals("Event.headers")) { // JSON: text values here, base64 ones in headersBase64
                    checkType(
                            where + "{}",
                            property.path("additionalProperties"),
                            ((MapMetaData) meta).valueMetaData,
                            todo);
                }
            }
            default -> throw new AssertionError(where + ": no JSON form for Thrift type " + meta.type);
        }
    }

    private static JsonNode schema(String name) {
        return document.path("components").path("schemas").path(name);
    }

    private static String ref(JsonNode node) {
        String ref = node.path("$ref").asText();
        return ref.substring(ref.lastIndexOf('/') + 1);
    }

    private static Set<String> fieldNames(JsonNode object) {
        Set<String> names = new TreeSet<>();
        object.fieldNames().forEachRemaining(names::add);
        return names;
    }

    private static Set<String> texts(JsonNode array) {
        Set<String> values = new TreeSet<>();
        array.forEach(value -> values.add(value.asText()));
        return values;
    }
}
