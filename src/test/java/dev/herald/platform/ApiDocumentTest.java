package dev.herald.platform;

import static org.assertj.core.api.Assertions.assertThat;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.get;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.webmvc.test.autoconfigure.AutoConfigureMockMvc;
import org.springframework.test.web.servlet.MockMvc;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;

/** /api/openapi.json is a document a client generator can use: named, versioned, typed answers, enums. */
@SpringBootTest
@AutoConfigureMockMvc
class ApiDocumentTest {
  @Autowired MockMvc mvc;
  @Autowired ObjectMapper json;
  JsonNode api;

  @BeforeEach
  void read() throws Exception {
    api = json.readTree(mvc.perform(get("/api/openapi.json")).andReturn().getResponse().getContentAsString());
  }

  List<String> values(JsonNode array) {
    List<String> out = new ArrayList<>();
    array.forEach(v -> out.add(v.asString()));
    return out;
  }

  /** The enum of a component's property, through a $ref when the property names another component. */
  List<String> enumOf(String component, String property) {
    return values(resolve(api.at("/components/schemas/" + component + "/properties/" + property)).path("enum"));
  }

  JsonNode resolve(JsonNode schema) {
    String ref = schema.path("$ref").asString("");
    if (ref.isEmpty() && schema.path("allOf").isArray() && !schema.path("allOf").isEmpty()) {
      ref = schema.path("allOf").get(0).path("$ref").asString("");
    }
    return ref.isEmpty() ? schema : api.at(ref.substring(1));
  }

  @Test
  void the_document_has_a_real_title_version_and_description() {
    assertThat(api.at("/info/title").asString()).isEqualTo("Herald API");
    assertThat(api.at("/info/version").asString()).isNotBlank().isNotEqualTo("v0").matches("\\d+\\.\\d+.*");
    assertThat(api.at("/info/description").asString()).contains("/api/v1/orgs/{org}").contains("Bearer");
  }

  @Test
  void every_operation_has_a_summary_concrete_media_types_and_problem_json_errors() {
    List<String> anyMedia = new ArrayList<>();
    List<String> undescribed = new ArrayList<>();
    List<String> noProblem = new ArrayList<>();
    api.get("paths").properties().forEach(path -> path.getValue().properties().forEach(op -> {
      String name = op.getKey().toUpperCase() + " " + path.getKey();
      if (op.getValue().path("summary").asString("").isBlank()) undescribed.add(name);
      op.getValue().path("responses").properties().forEach(r -> r.getValue().path("content").properties().forEach(c -> {
        if (c.getKey().equals("*/*")) anyMedia.add(name + " " + r.getKey());
      }));
      if (!op.getValue().at("/responses/default/content").has("application/problem+json")) noProblem.add(name);
    }));
    assertThat(anyMedia).as("responses typed */*").isEmpty();
    assertThat(undescribed).as("operations without a summary").isEmpty();
    assertThat(noProblem).as("operations whose errors are not problem+json").isEmpty();
    assertThat(api.at("/components/schemas/Problem/properties/errors/items/properties").has("field")).isTrue();
    assertThat(api.at("/components/schemas/Problem/properties").has("detail")).isTrue();
    JsonNode exportTypes = api.at("/paths/~1api~1v1~1orgs~1{org}~1exports~1subscribers/get/responses/200/content");
    assertThat(exportTypes.has("text/csv") || exportTypes.has("text/csv;charset=UTF-8")).as(exportTypes.toString()).isTrue();
    assertThat(exportTypes.toString()).contains("spreadsheetml").contains("application/json");
    assertThat(api.at("/paths/~1api~1v1~1orgs~1{org}~1lists/get/responses/200/content").has("application/json")).isTrue();
  }

  @Test
  void status_op_type_and_the_import_mapping_are_enums() {
    assertThat(enumOf("SubscriberRequest", "status")).contains("subscribed", "unconfirmed", "unsubscribed");
    assertThat(enumOf("Membership", "status")).contains("bounced", "complained");
    assertThat(enumOf("Rule", "op")).contains("eq", "neq", "in_last_days", "is_set");
    assertThat(enumOf("Rule", "type")).contains("field", "list", "tag");
    assertThat(enumOf("FieldRequest", "type")).containsExactly("text", "number", "date", "boolean", "choice");
    JsonNode search = api.at("/paths/~1api~1v1~1orgs~1{org}~1subscribers/get/parameters");
    List<String> statusParam = new ArrayList<>();
    search.forEach(p -> {
      if (p.path("name").asString("").equals("status")) statusParam.addAll(values(resolve(p.path("schema")).path("enum")));
    });
    assertThat(statusParam).contains("subscribed", "unsubscribed");
    JsonNode imports = api.at("/paths/~1api~1v1~1orgs~1{org}~1imports/post");
    String mapping = imports.toString();
    assertThat(mapping).contains("\"mapping\"");
    List<String> targets = new ArrayList<>();
    imports.findValues("anyOf").forEach(anyOf -> anyOf.forEach(s -> targets.addAll(values(s.path("enum")))));
    assertThat(targets).contains("email", "name", "tags", "ignore");
    assertThat(mapping).contains("^field:");
  }

  @Test
  void organization_context_is_not_in_the_schemas_and_org_is_a_path_parameter() {
    assertThat(api.at("/components/schemas").has("OrganizationContext")).isFalse();
    assertThat(api.toString()).doesNotContain("OrganizationContext");
    List<String> undeclared = new ArrayList<>();
    api.get("paths").properties().forEach(path -> {
      if (!path.getKey().contains("{org}")) return;
      path.getValue().properties().forEach(op -> {
        List<String> orgParams = new ArrayList<>();
        op.getValue().path("parameters").forEach(p -> {
          if (p.path("name").asString("").equals("org")) orgParams.add(p.path("in").asString("") + " " + p.at("/schema/type").asString(""));
        });
        if (!orgParams.equals(List.of("path string"))) undeclared.add(op.getKey().toUpperCase() + " " + path.getKey() + " " + orgParams);
      });
    });
    assertThat(undeclared).as("operations whose {org} is not one string path parameter").isEmpty();
  }

  @Test
  void the_send_api_documents_its_202_the_idempotency_key_and_the_recipient_states() {
    JsonNode send = api.at("/paths/~1api~1v1~1orgs~1{org}~1messages/post");
    assertThat(send.at("/responses").has("202")).as(send.toString()).isTrue();
    JsonNode accepted = resolve(send.at("/responses/202/content/application~1json/schema"));
    assertThat(accepted.at("/properties").has("id")).isTrue();
    assertThat(accepted.at("/properties").has("recipients")).isTrue();
    assertThat(send.toString()).contains("Idempotency-Key");
    JsonNode request = resolve(send.at("/requestBody/content/application~1json/schema"));
    assertThat(request.at("/properties").has("bcc")).isTrue();
    assertThat(request.at("/properties").has("attachments")).isTrue();
    assertThat(enumOf("RecipientView", "state")).containsExactly("queued", "sending", "delivered", "deferred", "bounced", "expired", "failed", "deleted", "held");
    assertThat(enumOf("RecipientView", "kind")).containsExactly("to", "cc", "bcc");
    assertThat(api.at("/paths/~1api~1v1~1orgs~1{org}~1messages~1batch/post/responses").has("202")).isTrue();
    List<String> stateParam = new ArrayList<>();
    api.at("/paths/~1api~1v1~1orgs~1{org}~1messages/get/parameters").forEach(p -> {
      if (p.path("name").asString("").equals("state")) stateParam.addAll(values(resolve(p.path("schema")).path("enum")));
    });
    assertThat(stateParam).contains("queued", "bounced");
  }

  /** Regression (outside trial): existing people an import added to the list were counted nowhere; the job says how many. */
  @Test
  void an_import_job_documents_the_existing_people_it_added_to_the_list() {
    JsonNode job = resolve(api.at("/paths/~1api~1v1~1orgs~1{org}~1imports~1{id}/get/responses/200/content/application~1json/schema"));
    assertThat(job.at("/properties").has("subscriptionChanged")).as(job.toString()).isTrue();
    assertThat(job.at("/properties/subscriptionChanged/description").asString()).contains("added to the list");
  }
}
