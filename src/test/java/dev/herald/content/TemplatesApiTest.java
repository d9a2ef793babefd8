package dev.herald.content;

import static org.assertj.core.api.Assertions.assertThat;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.delete;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.get;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.post;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.put;

import dev.herald.tenancy.TestOrganizations;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.webmvc.test.autoconfigure.AutoConfigureMockMvc;
import org.springframework.context.annotation.Import;
import org.springframework.mock.web.MockHttpServletResponse;
import org.springframework.test.web.servlet.MockMvc;
import org.springframework.test.web.servlet.request.MockHttpServletRequestBuilder;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;

/** Templates, snippets and categories through the REST API: CRUD, refusals as problem+json naming the field, scopes. */
@SpringBootTest
@AutoConfigureMockMvc
@Import(TestOrganizations.class)
class TemplatesApiTest {
  @Autowired MockMvc mvc;
  @Autowired TestOrganizations organizations;
  @Autowired ObjectMapper json;
  @Autowired Templates templates;
  @Autowired TemplateEngine engine;

  TestOrganizations.Created org;
  String key;
  static int counter;

  @BeforeEach
  void organization() {
    org = organizations.create("Template Co " + (++counter), "campaigns:read", "campaigns:write");
    key = org.apiKey();
  }

  JsonNode send(MockHttpServletRequestBuilder r, String body, int expectedStatus) throws Exception {
    if (body != null) r = r.contentType("application/json").content(body);
    MockHttpServletResponse response = mvc.perform(r.header("Authorization", "Bearer " + key)).andReturn().getResponse();
    assertThat(response.getStatus()).as(response.getContentAsString()).isEqualTo(expectedStatus);
    if (expectedStatus >= 400) assertThat(response.getContentType()).startsWith("application/problem+json");
    return response.getContentAsString().isEmpty() ? null : json.readTree(response.getContentAsString());
  }

  String api(String path) {
    return "/api/v1/orgs/" + org.slug() + path;
  }

  static String field(JsonNode problem) {
    return problem.get("errors").get(0).get("field").asString();
  }

  @Test
  void a_campaign_template_is_created_read_listed_changed_and_deleted() throws Exception {
    long category = send(post(api("/template-categories")), "{\"name\":\"Newsletters\"}", 201).get("id").asLong();
    JsonNode created = send(post(api("/templates")), """
        {"name":"Monthly","kind":"campaign","categoryId":%d,"format":"html","source":"<h1>Hi</h1>{{ content }}"}"""
        .formatted(category), 201);
    long id = created.get("id").asLong();
    assertThat(created.get("kind").asString()).isEqualTo("campaign");
    assertThat(created.get("format").asString()).isEqualTo("html");
    assertThat(created.get("categoryId").asLong()).isEqualTo(category);

    assertThat(send(get(api("/templates/" + id)), null, 200).get("source").asString()).isEqualTo("<h1>Hi</h1>{{ content }}");
    assertThat(send(get(api("/templates?kind=campaign")), null, 200)).hasSize(1);
    assertThat(send(get(api("/templates?kind=snippet")), null, 200)).isEmpty();
    assertThat(send(get(api("/templates?categoryId=" + category)), null, 200)).hasSize(1);
    assertThat(send(get(api("/template-categories/" + category)), null, 200).get("templates").asLong()).isEqualTo(1);

    JsonNode changed = send(put(api("/templates/" + id)), """
        {"name":"Monthly letter","format":"markdown","source":"# Hi\\n\\n{{ content }}"}""", 200);
    assertThat(changed.get("name").asString()).isEqualTo("Monthly letter");
    assertThat(changed.get("format").asString()).isEqualTo("markdown");
    assertThat(changed.get("categoryId").isNull()).isTrue();

    send(delete(api("/templates/" + id)), null, 204);
    send(get(api("/templates/" + id)), null, 404);
    send(delete(api("/templates/" + id)), null, 404);
  }

  @Test
  void refusals_name_their_field() throws Exception {
    assertThat(field(send(post(api("/templates")), "{\"name\":\"No body\",\"kind\":\"campaign\",\"source\":\"<p>Hi</p>\"}", 422)))
        .isEqualTo("source");
    assertThat(field(send(post(api("/templates")), "{\"name\":\"X\",\"kind\":\"poster\",\"source\":\"\"}", 422))).isEqualTo("kind");
    assertThat(field(send(post(api("/templates")), "{\"name\":\"X\",\"kind\":\"snippet\",\"format\":\"pdf\"}", 422))).isEqualTo("format");
    assertThat(field(send(post(api("/templates")), "{\"name\":\" \",\"kind\":\"snippet\"}", 422))).isEqualTo("name");
    assertThat(field(send(post(api("/templates")), "{\"name\":\"my footer\",\"kind\":\"snippet\"}", 422))).isEqualTo("name");
    assertThat(field(send(post(api("/templates")), "{\"name\":\"f\",\"kind\":\"snippet\",\"categoryId\":999999}", 422)))
        .isEqualTo("categoryId");
    assertThat(field(send(post(api("/template-categories")), "{\"name\":\"\"}", 422))).isEqualTo("name");

    JsonNode broken = send(post(api("/templates")), "{\"name\":\"Broken\",\"kind\":\"campaign\",\"source\":\"{{ content }}\\n\\n{% if x %}open\"}", 422);
    assertThat(field(broken)).isEqualTo("source");
    assertThat(broken.get("errors").get(0).get("message").asString()).startsWith("Line 3, column");
    JsonNode unknown = send(post(api("/templates")), "{\"name\":\"U\",\"kind\":\"campaign\",\"source\":\"{{ content }}{% include 'nowhere' %}\"}", 422);
    assertThat(unknown.get("errors").get(0).get("message").asString()).contains("nowhere");

    send(post(api("/templates")), "{\"name\":\"footer\",\"kind\":\"snippet\",\"source\":\"Bye\"}", 201);
    assertThat(field(send(post(api("/templates")), "{\"name\":\"footer\",\"kind\":\"snippet\",\"source\":\"Again\"}", 409)))
        .isEqualTo("name");
    // the same name as another kind is fine: names are unique per kind
    send(post(api("/templates")), "{\"name\":\"footer\",\"kind\":\"campaign\",\"source\":\"{{content}}\"}", 201);
    send(post(api("/template-categories")), "{\"name\":\"Shop\"}", 201);
    assertThat(field(send(post(api("/template-categories")), "{\"name\":\"Shop\"}", 409))).isEqualTo("name");
  }

  @Test
  void a_snippet_that_another_template_includes_is_found_by_name_and_is_not_deleted_or_renamed() throws Exception {
    long footer = send(post(api("/templates")), "{\"name\":\"footer\",\"kind\":\"snippet\",\"source\":\"Bye {{ subscriber.name }}\"}", 201).get("id").asLong();
    long letter = send(post(api("/templates")), """
        {"name":"Letter","kind":"campaign","source":"{{ content }} {% include 'footer' %}"}""", 201).get("id").asLong();
    Templates.Template stored = templates.find(org.id(), letter).orElseThrow();
    assertThat(engine.compile(stored.source(), templates.snippets(org.id()))
        .render(java.util.Map.of("content", "Body", "subscriber", java.util.Map.of("name", "Ann")))).isEqualTo("Body Bye Ann");
    assertThat(templates.snippets(org.id()).find("Letter")).isEmpty(); // campaign templates are not snippets

    JsonNode refused = send(delete(api("/templates/" + footer)), null, 409);
    assertThat(refused.get("detail").asString()).contains("Letter");
    send(put(api("/templates/" + footer)), "{\"name\":\"footer2\",\"source\":\"Bye\"}", 409);
    assertThat(field(send(put(api("/templates/" + footer)), "{\"name\":\"footer\",\"kind\":\"campaign\",\"source\":\"{{content}}\"}", 422)))
        .isEqualTo("kind");
    assertThat(templates.list(org.id(), TemplateKind.SNIPPET)).extracting(Templates.Template::name).containsExactly("footer");
  }

  @Test
  void deleting_a_category_keeps_its_templates() throws Exception {
    long category = send(post(api("/template-categories")), "{\"name\":\"Old\"}", 201).get("id").asLong();
    long id = send(post(api("/templates")), "{\"name\":\"sig\",\"kind\":\"snippet\",\"categoryId\":" + category + ",\"source\":\"x\"}", 201)
        .get("id").asLong();
    assertThat(send(put(api("/template-categories/" + category)), "{\"name\":\"Older\"}", 200).get("name").asString()).isEqualTo("Older");
    send(delete(api("/template-categories/" + category)), null, 204);
    assertThat(send(get(api("/templates/" + id)), null, 200).get("categoryId").isNull()).isTrue();
  }

  @Test
  void another_organizations_template_and_category_are_not_found() throws Exception {
    TestOrganizations.Created other = organizations.create("Other Template Co " + counter, "campaigns:read", "campaigns:write");
    long theirs = templates.create(other.id(), new Templates.Draft("theirs", TemplateKind.SNIPPET, null, ContentFormat.TEXT, "x")).id();
    send(get(api("/templates/" + theirs)), null, 404);
    send(put(api("/templates/" + theirs)), "{\"name\":\"mine\",\"source\":\"x\"}", 404);
    send(delete(api("/templates/" + theirs)), null, 404);
  }

  @Test
  void a_read_only_key_reads_but_does_not_write() throws Exception {
    org = organizations.create("Reader Co " + counter, "campaigns:read");
    key = org.apiKey();
    send(get(api("/templates")), null, 200);
    send(post(api("/templates")), "{\"name\":\"x\",\"kind\":\"snippet\"}", 403);
  }

  @Test
  void convert_switches_formats_and_warns_where_something_is_lost() throws Exception {
    JsonNode markdown = send(post(api("/templates/convert")), """
        {"source":"# Hello\\n\\nSee [the shop](https://shop.example)","from":"markdown","to":"html"}""", 200);
    assertThat(markdown.get("source").asString()).contains("<h1>Hello</h1>", "<a href=\"https://shop.example\">the shop</a>");
    assertThat(markdown.get("warning").isNull()).isTrue();

    JsonNode text = send(post(api("/templates/convert")), """
        {"source":"<table><tr><td><b>Sale</b> today</td></tr></table>","from":"html","to":"text"}""", 200);
    assertThat(text.get("source").asString()).isEqualTo("Sale today");
    assertThat(text.get("warning").asString()).contains("<table>");

    assertThat(field(send(post(api("/templates/convert")), "{\"source\":\"x\",\"from\":\"html\",\"to\":\"pdf\"}", 422))).isEqualTo("to");
  }
}
