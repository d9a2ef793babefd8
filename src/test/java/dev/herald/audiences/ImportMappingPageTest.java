package dev.herald.audiences;

import static org.assertj.core.api.Assertions.assertThat;

import dev.herald.tenancy.TestOrganizations;
import dev.herald.testsupport.WebClient;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.annotation.Import;
import org.springframework.jdbc.core.simple.JdbcClient;

/** The import's mapping page over a real socket and session: a refused start keeps every choice made. */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@Import({AudienceFixtures.class, TestOrganizations.class})
class ImportMappingPageTest {
  @LocalServerPort int port;
  @Autowired AudienceFixtures fixtures;
  @Autowired Imports imports;
  @Autowired JdbcClient jdbc;

  @Test
  void a_refused_start_keeps_what_the_person_chose() {
    TestOrganizations.Created org = fixtures.organization("Mapping Co");
    long listId = jdbc.sql("insert into mailing_list (organization_id, name) values (?, 'L') returning id").param(org.id())
        .query(Long.class).single();
    long id = imports.upload(org.id(), null, listId, "a.csv", "email,name\nann@example.com,Ann\n".getBytes(StandardCharsets.UTF_8), null);
    WebClient web = new WebClient(port);
    assertThat(web.submit("/login", "/login", Map.of("email", org.ownerEmail(), "password", "correct horse battery")).locationPath())
        .isEqualTo("/dashboard");
    String page = "/o/" + org.slug() + "/imports/" + id;
    web.get(page);
    WebClient.Page refused = web.post(page + "/start", Map.of("map.email", "email", "map.name", "ignore", "importAs", "unconfirmed",
        "overwrite", "true", "tags", "spring, fair", "consentBasis", ""));
    String again = web.get(refused.locationPath()).body();
    assertThat(again).contains("State how these people gave their consent");
    assertThat(again).containsPattern("<option value=\"unconfirmed\" selected=\"selected\"");
    assertThat(again).containsPattern("id=\"overwrite\"[^>]*checked=\"checked\"");
    assertThat(again).contains("value=\"spring, fair\"");
    assertThat(again).containsPattern("name=\"map.name\">\\s*<option value=\"ignore\" selected=\"selected\"");
    assertThat(imports.find(org.id(), id).orElseThrow().status()).isEqualTo(ImportStatus.DRAFT);
  }
}
