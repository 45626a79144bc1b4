package dev.switchboard.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SchemaLocation;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Validates real JSON requests and answers against the schemas of the OpenAPI 3.1 description the server ships
 * (networknt json-schema-validator, JSON Schema 2020-12: the dialect of OpenAPI 3.1 schema objects).
 */
final class OpenApiSchemas {
    private static final String DOCUMENT = "classpath:dev/switchboard/api/openapi.json";
    private static final JsonSchemaFactory FACTORY = JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V202012);
    private static final Map<String, JsonSchema> SCHEMAS = new ConcurrentHashMap<>();
    private static final ObjectMapper JSON = new ObjectMapper();

    private OpenApiSchemas() {}

    /** Fails unless {@code json} is valid against {@code #/components/schemas/<name>}. */
    static void assertValid(String name, JsonNode json) {
        JsonSchema schema = SCHEMAS.computeIfAbsent(
                name, n -> FACTORY.getSchema(SchemaLocation.of(DOCUMENT + "#/components/schemas/" + n)));
        Set<ValidationMessage> errors = schema.validate(json);
        assertThat(errors).as(name + ": " + json).isEmpty();
    }

    /** Fails unless the request and answer of {@code call} are what the description says (answer by status). */
    static void assertExchange(String call, byte[] request, int status, String answer) {
        try {
            String type = Character.toUpperCase(call.charAt(0)) + call.substring(1);
            if (status == 200) {
                assertValid(type + "Request", JSON.readTree(request));
                assertValid(type + "Response", JSON.readTree(answer));
            } else {
                assertValid("Error", JSON.readTree(answer));
            }
        } catch (java.io.IOException e) {
            throw new AssertionError("not JSON: " + answer, e);
        }
    }

    /** Fails when {@code json} is valid against {@code name}: proves the validator does reject. */
    static boolean isValid(String name, JsonNode json) {
        JsonSchema schema = SCHEMAS.computeIfAbsent(
                name, n -> FACTORY.getSchema(SchemaLocation.of(DOCUMENT + "#/components/schemas/" + n)));
        return schema.validate(json).isEmpty();
    }
}
