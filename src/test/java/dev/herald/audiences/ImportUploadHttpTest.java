package dev.herald.audiences;

import static org.assertj.core.api.Assertions.assertThat;

import dev.herald.tenancy.TestOrganizations;
import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.annotation.Import;
import org.springframework.jdbc.core.simple.JdbcClient;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;

/** Uploads over a real socket, where Tomcat parses the multipart body (MockMvc does not). */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@Import({AudienceFixtures.class, TestOrganizations.class})
class ImportUploadHttpTest {
  @LocalServerPort int port;
  @Autowired AudienceFixtures fixtures;
  @Autowired JdbcClient jdbc;
  @Autowired ObjectMapper json;
  @Autowired Imports imports;

  /** Regression: a NUL in an upload's file name gave a 500 (Tomcat refuses to parse the body, before any handler). */
  @Test
  void a_nul_in_the_file_name_is_a_400_problem_and_other_controls_are_left_out_of_the_name() throws Exception {
    TestOrganizations.Created org = fixtures.organization("Upload Co");
    long listId = jdbc.sql("insert into mailing_list (organization_id, name) values (?, 'L') returning id").param(org.id())
        .query(Long.class).single();

    HttpResponse<String> nul = upload(org, listId, "a\0b.csv");
    assertThat(nul.statusCode()).isEqualTo(400);
    assertThat(nul.headers().firstValue("Content-Type")).hasValue("application/problem+json");
    assertThat(json.readTree(nul.body()).get("detail").asString()).contains("NUL");

    HttpResponse<String> controls = upload(org, listId, "..\\\\people\u0007\u202E of\u0001 2024.csv");
    assertThat(controls.statusCode()).as(controls.body()).isEqualTo(202);
    JsonNode created = json.readTree(controls.body());
    assertThat(imports.find(org.id(), created.get("id").asLong()).orElseThrow().fileName()).isEqualTo("people of 2024.csv");
  }

  HttpResponse<String> upload(TestOrganizations.Created org, long listId, String fileName) throws Exception {
    var body = new ByteArrayOutputStream();
    body.writeBytes(("--XYZ\r\nContent-Disposition: form-data; name=\"file\"; filename=\"" + fileName + "\"\r\n"
        + "Content-Type: text/csv\r\n\r\nemail\na@example.com\n\r\n"
        + "--XYZ\r\nContent-Disposition: form-data; name=\"listId\"\r\n\r\n" + listId + "\r\n"
        + "--XYZ\r\nContent-Disposition: form-data; name=\"consentBasis\"\r\n\r\nwebsite\r\n--XYZ--\r\n").getBytes(StandardCharsets.UTF_8));
    HttpRequest request = HttpRequest.newBuilder(URI.create("http://localhost:" + port + "/api/v1/orgs/" + org.slug() + "/imports"))
        .header("Authorization", "Bearer " + org.apiKey()).header("Content-Type", "multipart/form-data; boundary=XYZ")
        .POST(HttpRequest.BodyPublishers.ofByteArray(body.toByteArray())).build();
    try (HttpClient client = HttpClient.newHttpClient()) {
      return client.send(request, HttpResponse.BodyHandlers.ofString());
    }
  }
}
